"""Security defaults: argon2, lockout, history, production refusing to start unsafely."""

from __future__ import annotations

import os
import subprocess
import sys

from django.urls import reverse

from stars.referrals.models import Referral
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2(users):
    assert users["spoc"].password.startswith("argon2")


def test_repeated_failed_sign_ins_lock_the_account(client, users):
    for _ in range(5):
        client.post(reverse("login"), {"username": "spoc", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "spoc", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "locked" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_failed_sign_in_shows_an_error_summary(client, users):
    response = client.post(reverse("login"), {"username": "spoc", "password": "nope"})
    html = response.content.decode()
    assert "There is a problem" in html and 'value="spoc"' in html


def test_sign_out_needs_post_and_ends_the_session(client, users):
    client.force_login(users["spoc"])
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_security_headers_and_csp(client, users):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_changes_to_referrals_keep_history(referrals):
    r = referrals["derby"]
    r.cohort = "A"
    r.save()
    history = list(Referral.history.filter(referral_id="R-DER").order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert (history[0].cohort, history[1].cohort) == ("B", "A")


def _run(env_extra, *args):
    drop = ("STARS_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "stars.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run({"STARS_ENV": "production", "STARS_HOME": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "STARS_SECRET_KEY" in result.stderr


def test_deploy_checks_are_clean_in_production(tmp_path):
    result = _run(
        {
            "STARS_ENV": "production",
            "STARS_HOME": str(tmp_path),
            "STARS_SECRET_KEY": "x" * 20
            + "-a-very-long-random-production-secret-key-value-0123456789",
            "STARS_ALLOWED_HOSTS": "stars.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        },
        "check",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deployment checks passed" in result.stdout
