"""Browser tests: Debian's chromium driven by Playwright against a live test server."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.conftest import load_demo, load_once

CHROMIUM = os.environ.get("STARS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the test drives, the server serves).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A page under the service's own Content Security Policy (never bypassed): anything the
    policy blocks (a script, a style, a font) fails the test that met it."""
    context = browser.new_context(base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    blocked: list[str] = []
    pg.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield pg
    context.close()
    assert not blocked, f"the page's Content Security Policy blocked: {blocked}"


@pytest.fixture
def demo(transactional_db, rows_kept):
    """The demo programme, smaller (80 referrals, seed 2020): pages full of realistic rows,
    claims, returns. Loaded once in a run, by the first test that asks; the next ones get
    its rows put back (``load_once``), since a browser test's database is emptied after it."""
    load_once(rows_kept, "demo of 80, for a live server", load_demo(80))


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("[data-testid=userbar]")


def fill_date(page, field_id: str, day: dt.date) -> None:
    """Type a date in a field's Day, Month and Year boxes (``id_date``: ``#id_date-day``...),
    as a user does: numbers, without leading zeros."""
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.fill(f"#{field_id}-{part}", str(value))


def page_width(page) -> int:
    """How wide the page's content is, in CSS pixels, once the page has loaded: a click on a
    link returns when the navigation has started, and while the new document replaces the
    old one there is no element to measure."""
    page.wait_for_load_state()
    return page.locator("html").evaluate("html => html.scrollWidth")


def axe_violations(page) -> list[str]:
    """Run axe-core in the page with every rule on and every impact counted; the violations,
    described (nothing is disabled or filtered: a minor violation is still a violation).
    The page is checked once it has loaded: a click on a link returns when the navigation
    has started, not when the new page is there."""
    page.wait_for_load_state()
    page.evaluate(AXE.read_text())  # evaluated by the test, not a script tag the CSP refuses
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
