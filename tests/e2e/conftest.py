"""Real Chromium (Debian's package) against a live server on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from tests.conftest import end_other_sessions

# Playwright's sync API keeps an event loop on the main thread; Django's guard would refuse the
# fixtures' database calls, which are plain synchronous code running beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_port(provisioned_schools: Any, django_db_blocker: Any) -> Iterator[int]:
    """A threaded Django server on 127.0.0.1; Chromium resolves *.localhost hosts to it."""
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield server.port
        server.terminate()
        end_other_sessions()
