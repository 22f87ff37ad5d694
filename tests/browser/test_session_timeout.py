"""WCAG 2.2.1 Timing adjustable: before an idle session ends, a modal dialog warns, and the
user may stay signed in (the session is extended on the server) or, doing nothing, is signed
out and sent to sign in, which says why and brings them back to the page afterwards."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

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
