"""Fixed-window counters in the shared cache (database by default, Redis when configured).

Every process sees the same counts, so limits hold behind a load balancer. The counters are
not transactional: under heavy concurrency a few extra attempts may slip through, which is
acceptable for throttling and never for anything that must be exact.
"""

import hashlib
import time

from django.core.cache import cache


def _key(name: str) -> str:
    return "rl:" + hashlib.sha256(name.encode()).hexdigest()  # no personal data in cache keys


def hit(name: str, *, limit: int, window: int) -> bool:
    """Count one event under `name`; True while the count stays within `limit` per `window` s."""
    key = _key(name)
    now = time.time()
    count, resets_at = cache.get(key) or (0, now + window)
    if resets_at <= now:
        count, resets_at = 0, now + window
    count += 1
    cache.set(key, (count, resets_at), timeout=max(1, int(resets_at - now) + 1))
    return count <= limit


def count(name: str) -> int:
    value = cache.get(_key(name))
    if not value or value[1] <= time.time():
        return 0
    return value[0]


def seconds_left(name: str) -> int:
    value = cache.get(_key(name))
    return max(0, int(value[1] - time.time())) if value else 0


def reset(name: str) -> None:
    cache.delete(_key(name))
