"""Personal-data primitives: encryption, blind index, ID-number checks."""

import time

from bench.timing import row


def rate(func, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        func(i)
    return n / (time.perf_counter() - start)


def run() -> None:
    from gonghui.lib.crypto import get_keyring
    from gonghui.lib.idnumber import check_digit, parse_id_number

    print("\n== personal data")
    ring = get_keyring()
    aad = b"membership_member.id_number"
    enc = rate(lambda i: ring.encrypt(b"11010519900101123X", aad), 100_000)
    row("AES-GCM encrypt (18-byte value)", f"{enc:,.0f}/s")
    batch = ring.batch_encryptor(100_000)
    many = rate(lambda i: batch(b"11010519900101123X", aad), 100_000)
    row("  the same, nonces drawn for a batch at once (imports)", f"{many:,.0f}/s", f"×{many / enc:.1f}")
    indexer = ring.blind_indexer("id_number")
    fast_index = rate(lambda i: indexer("11010519900101123X"), 100_000)
    blob = ring.encrypt(b"11010519900101123X", aad)
    dec = rate(lambda i: ring.decrypt(blob, aad), 100_000)
    row("AES-GCM decrypt", f"{dec:,.0f}/s")
    idx = rate(lambda i: ring.blind_index("id_number", "11010519900101123X"), 100_000)
    row("HMAC blind index", f"{idx:,.0f}/s")
    row("  the same, keyed hash states copied (imports)", f"{fast_index:,.0f}/s", f"×{fast_index / idx:.1f}")
    numbers = [f"110105{1950 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}" for i in range(100_000)]
    ours = rate(lambda i: check_digit(numbers[i]), 100_000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

    def naive(i):
        total = sum(int(c) * w for c, w in zip(numbers[i], weights, strict=True))
        return "10X98765432"[total % 11]

    slow = rate(naive, 100_000)
    row("GB 11643 check digit", f"{ours:,.0f}/s", f"naive int()-per-digit: {slow:,.0f}/s (×{ours / slow:.1f})")
    full = [n + check_digit(n) for n in numbers[:50_000]]
    parsed = rate(lambda i: parse_id_number(full[i]), 50_000)
    row("full ID-number parse (checksum, province, birth date, region)", f"{parsed:,.0f}/s")
