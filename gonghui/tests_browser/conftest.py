"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

Never a downloaded browser: chromium is found on PATH (`.ci/run` installs it with fonts-noto-cjk).
One browser for the suite, a fresh context (cookies, storage) per test, in Chinese and Beijing time.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gonghui.core.demo import DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Without the background-networking flags chromium keeps trying to reach Google, which a closed
# network (and CI) refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # auto-waiting limit; a healthy page answers in well under a second


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "GONGHUI_REQUIRE_BROWSER=1 but no `chromium` (or `chromium-browser`) is on PATH: "
                "install Debian's chromium and fonts-noto-cjk (apt install chromium fonts-noto-cjk).",
                pytrace=False,
            )
        pytest.skip("Debian's chromium is not installed (apt install chromium fonts-noto-cjk); .ci/run installs it")
    return path


# One browser for the whole browser suite, stopped as soon as it is done (package scope, not
# session): pytest-django runs the tests without a database after the transactional ones, and
# those must not find Playwright's event loop running or DJANGO_ALLOW_ASYNC_UNSAFE set (a
# subprocess inherits it, and `check --deploy` then fails with async.E001).
@pytest.fixture(scope="package")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the main thread for as long as
    # it is started, and Django refuses ORM calls from a thread with a running loop
    # (SynchronousOnlyOperation). Our ORM calls there are plain synchronous code, so allow them,
    # only while Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class _Serialized:
    """Wraps the live server's WSGI app so that one request at a time runs, under `lock`.

    With SQLite in memory the server's threads and the test share one database connection (and
    its transaction state). The browser may fire a request at any moment (htmx polls every
    second), so the test takes the same lock around its own ORM work that could overlap one."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.RLock()

    def __call__(self, environ, start_response):
        with self.lock:
            result = self.app(environ, start_response)
            try:
                return list(result)  # the whole body inside the lock: a FileResponse reads as it goes
            finally:
                if hasattr(result, "close"):
                    result.close()


@pytest.fixture(scope="session")
def server(live_server):
    """The live server, serialized (see _Serialized); `server.url`, `server.quiet()`."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, _Serialized):
        app = _Serialized(app)
        httpd.set_app(app)

    class Server:
        url = live_server.url

        @staticmethod
        @contextmanager
        def quiet():
            """No request is being served inside this block (for ORM work while pages poll)."""
            with app.lock:
                yield

    return Server()


@pytest.fixture
def demo(transactional_db):
    """The demo city federation (杭州市总工会) and its demo_* accounts, in an empty database."""
    call_command("demo", stdout=StringIO())


@pytest.fixture
def new_page(browser):
    """new_page(**context_options) → a page in a fresh context (zh-CN, Asia/Shanghai)."""
    contexts = []

    def make(**options):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": DESKTOP, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, server, username: str, password: str = DEMO_PASSWORD, *, screenshot: str | None = None) -> None:
    """Log in through the real login form and land on the workbench."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    if screenshot:
        shot(page, screenshot)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to test-artifacts/screenshots/<name>.png (git-ignored) for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(autouse=True)
def _seeded_rows(transactional_db):
    """Rows that migrations seed are gone after an earlier transactional test flushed the tables."""
    from gonghui.capability.services.frameworks import default_framework_reseed

    default_framework_reseed()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(transactional_db):
    """Rate-limit counters live in the cache table, which flushing the database between tests
    leaves alone: every browser test comes from 127.0.0.1, so they would add up across tests."""
    from django.core.cache import cache

    cache.clear()
