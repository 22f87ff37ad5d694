"""WCAG 2.2.1 Timing adjustable: before an idle session ends, a modal dialog warns, and the
user may stay signed in (the session is extended on the server) or, doing nothing, is signed
out and sent to sign in, which says why and brings them back to the page afterwards."""

from __future__ import annotations

import re
import time

import pytest

from stars.core import sessions
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.uploads.conftest import tracker_files  # noqa: F401  a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGE = 12  # seconds: the warning shows a third of it (4 s) before the end


def _in_dialog(page) -> bool:
    return page.evaluate("document.activeElement.closest('#session-timeout') !== null")


def test_the_warning_lets_a_user_stay_signed_in_or_signs_them_out(page, users, settings):
    settings.SESSION_COOKIE_AGE = AGE
    sign_in(page, "key_worker", PASSWORD)
    signed_in = time.monotonic()
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    dialog.wait_for(state="visible", timeout=(AGE + 5) * 1000)
    assert time.monotonic() - signed_in >= AGE - 4 - 1  # not before its time
    assert _in_dialog(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _in_dialog(page)  # focus is kept in the dialog
    assert re.search(r"You will be signed out in \d seconds?", dialog.inner_text())

    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    # Past the first expiry, a request is still signed in: the session was extended.
    page.wait_for_timeout(max(0, (signed_in + AGE + 1 - time.monotonic()) * 1000))
    page.goto("/notifications/")
    page.wait_for_selector("[data-testid=userbar]")

    # Escape is "Stay signed in" too.
    dialog.wait_for(state="visible", timeout=(AGE + 5) * 1000)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # Doing nothing: signed out, at the sign-in page, which says why.
    page.wait_for_url(re.compile(r"/sign-in/\?"), timeout=(AGE + 10) * 1000)
    assert "You were signed out because you did nothing for a while" in page.inner_text(
        "[data-testid=session-expired]"
    )
    # (the sign-in page sends a signed-in user home: this one is signed out on the server)
    page.fill("#id_username", "key_worker")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("[data-testid=userbar]")
    assert page.url.endswith("/notifications/")  # back where they were


def test_typing_in_a_form_keeps_the_session_alive_quietly(page, users, settings):
    """A key worker writing a long note, never pausing long, is never warned or signed out:
    input in a form posts to the keep-alive, at most once in half the warning's time."""
    settings.SESSION_COOKIE_AGE = AGE
    sign_in(page, "key_worker", PASSWORD)
    page.goto("/search/")
    keep_alives: list[str] = []
    page.on("request", lambda r: keep_alives.append(r.method) if "/session/" in r.url else None)
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    field = page.locator("#q")
    field.click()
    started = time.monotonic()
    while time.monotonic() - started < 2 * AGE:  # twice the session, typing every half second
        field.press("a" if len(field.input_value()) < 50 else "Backspace")
        assert not dialog.is_visible()
        page.wait_for_timeout(500)
    # at most one keep-alive in each half of the warning's time (2 s of a 12 s session)
    assert 2 * AGE / 2 - 3 <= len(keep_alives) <= 2 * AGE / 2 + 1, keep_alives
    assert set(keep_alives) == {"POST"}
    assert page.url.endswith("/search/")
    page.goto("/notifications/")  # past two whole sessions: still signed in on the server
    page.wait_for_selector("[data-testid=userbar]")

    # Stopping: nothing more is sent, and the warning comes in its time.
    sent = len(keep_alives)
    dialog.wait_for(state="visible", timeout=(AGE + 5) * 1000)
    assert len(keep_alives) == sent
    assert axe_violations(page) == []


def test_tabs_keep_one_clock(page, users, settings):
    """Staying signed in in one tab closes the warning in the other and keeps it signed in;
    signing out in one signs out the other."""
    settings.SESSION_COOKIE_AGE = AGE
    sign_in(page, "key_worker", PASSWORD)
    other = page.context.new_page()
    other.goto("/notifications/")
    other.wait_for_selector("[data-testid=userbar]")
    name = "You're about to be signed out"
    here = page.get_by_role("dialog", name=name)
    there = other.get_by_role("dialog", name=name)
    there.wait_for(state="visible", timeout=(AGE + 5) * 1000)
    here.wait_for(state="visible", timeout=2000)
    warned = time.monotonic()

    here.get_by_role("button", name="Stay signed in").click()
    here.wait_for(state="hidden")
    there.wait_for(state="hidden", timeout=2000)  # the other tab heard
    page.wait_for_timeout(max(0, (warned + 6 - time.monotonic()) * 1000))  # past the old end
    assert other.url.endswith("/notifications/")
    assert not there.is_visible()

    # Signing out in the other tab signs this one out too (to sign in, no child's page left).
    other.locator("form.stars-signout button").click()
    other.wait_for_url(re.compile(r"/sign-in/"))
    page.wait_for_url(re.compile(r"/sign-in/"), timeout=5000)
    assert page.locator("[data-testid=userbar]").count() == 0
    assert "was not saved" not in page.inner_text("main")


def test_a_form_submitted_after_the_session_ended_says_it_was_not_saved(page, users, settings):
    settings.SESSION_COOKIE_AGE = AGE
    sign_in(page, "key_worker", PASSWORD)
    page.goto("/search/")
    page.fill("#q", "Smith")
    # the session ends on the server while the page is open (another tab, a computer asleep)
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Search").click()
    banner = page.locator("[data-testid=session-unsaved]")
    banner.wait_for()
    assert "what you just submitted was not saved" in banner.inner_text()
    assert "Smith" not in page.url and "Smith" not in page.content()
    assert axe_violations(page) == []
    page.fill("#id_username", "key_worker")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("[data-testid=userbar]")
    assert page.url.endswith("/search/")  # back on the form, to enter it again


def test_typing_after_the_session_ended_elsewhere_goes_to_sign_in_saying_why(page, users, settings):
    """The session ended on the server (signed out elsewhere, the computer asleep): the next
    quiet keep-alive is refused, and the page goes to sign in, which says why, rather than
    letting the user type on into a form that can no longer be saved."""
    settings.SESSION_COOKIE_AGE = AGE
    sign_in(page, "key_worker", PASSWORD)
    page.goto("/search/")
    page.context.clear_cookies(name="sessionid")
    page.wait_for_timeout(2500)  # past half the warning's time: the next input is sent
    page.locator("#q").press_sequentially("Smi", delay=200)
    page.wait_for_url(re.compile(r"/sign-in/\?expired=1"), timeout=5000)
    assert "You were signed out" in page.inner_text("[data-testid=session-expired]")


def test_watching_a_running_import_keeps_the_session_alive(
    page,
    users,
    settings,
    tracker_files,  # noqa: F811
    monkeypatch,
):
    """The upload's page checks its progress every two seconds while its job runs: each check
    moves the session's expiry forward on the server, and the warning's count starts again
    from its answer, so someone watching a long import is never warned or signed out."""
    settings.SESSION_COOKIE_AGE = AGE
    monkeypatch.setattr(sessions, "REFRESH_SECONDS", 1)  # a check moves the expiry each time
    sign_in(page, "provider_manager", PASSWORD)
    page.goto("/uploads/tracker/")
    for field, path in tracker_files.items():
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button:has-text('Upload and import')")
    page.locator("[data-testid=upload-progress]").wait_for()  # no worker: it keeps waiting
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    started = time.monotonic()
    while time.monotonic() - started < 2 * AGE:  # twice the session, doing nothing
        assert not dialog.is_visible()
        page.wait_for_timeout(500)
    assert "/sign-in/" not in page.url
    page.goto("/notifications/")  # still signed in on the server
    page.wait_for_selector("[data-testid=userbar]")
