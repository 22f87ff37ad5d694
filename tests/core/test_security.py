"""Security defaults: argon2, lockout, history, production refusing to start unsafely."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from stars.core.api import basic_header
from stars.core.security import forwarded_client
from stars.referrals.models import Referral
from tests.conftest import NOT_INHERITED, PASSWORD, stars_command

ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_hashed_with_argon2(users):
    assert users["spoc"].password.startswith("argon2")


def test_repeated_failed_sign_ins_lock_the_account(client, users):
    for _ in range(5):
        client.post(reverse("login"), {"username": "spoc", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "spoc", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "locked" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def _typos(client, username, address, n=5):
    for _ in range(n):
        client.post(
            reverse("login"), {"username": username, "password": "typo"}, REMOTE_ADDR=address
        )


def _signs_in(client, username, address) -> bool:
    client.logout()
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_lockout_is_of_a_user_name_at_an_address_not_of_everyone_behind_it(client, users):
    _typos(client, "spoc", "10.0.0.1")
    assert not _signs_in(client, "spoc", "10.0.0.1")  # locked there
    assert _signs_in(client, "commissioner", "10.0.0.1")  # a colleague behind the same proxy
    assert _signs_in(client, "spoc", "10.0.0.2")  # the same user from elsewhere


def test_the_client_address_comes_from_the_configured_proxy_header(client, users, settings):
    settings.STARS_PROXY_HEADER = "X-Forwarded-For"
    settings.STARS_PROXY_COUNT = 1
    proxy = "10.9.9.9"  # every request arrives from the council's proxy
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "spoc", "password": "typo"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.7, 192.0.2.10",  # the first entry is the client's
        )
    client.logout()
    locked = client.post(
        reverse("login"),
        {"username": "spoc", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.10",
    )
    assert locked.status_code == 429
    assert _signs_in(client, "spoc", proxy)  # same proxy, no header: another address
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


@pytest.mark.parametrize(
    ("value", "proxies", "expected"),
    [
        ("192.0.2.10", 1, "192.0.2.10"),
        ("203.0.113.7, 192.0.2.10", 1, "192.0.2.10"),  # the client wrote the first entry
        ("192.0.2.10, 10.0.0.5", 2, "192.0.2.10"),  # two proxies in front
        ("10.0.0.5", 2, None),  # fewer entries than proxies: not trusted
        ("not-an-address", 1, None),
        ("", 1, None),
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_forwarded_client_is_the_entry_the_nearest_trusted_proxy_saw(value, proxies, expected):
    assert forwarded_client(value, proxies) == expected


def test_a_locked_api_client_is_answered_in_json(client, users):
    bad = basic_header("spoc", "typo")
    answers = [client.get("/api/referrals", HTTP_AUTHORIZATION=bad) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]  # the fifth locks
    response = client.get("/api/referrals", HTTP_AUTHORIZATION=basic_header("spoc", PASSWORD))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "locked" in response.json()["detail"] and int(response["Retry-After"]) == 1800


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
    return stars_command(*args, env=env_extra, drop=drop, timeout=120)


@pytest.mark.parametrize("command", [["check"], ["explain", "R-1", "--as-of", "2024-01-01"]])
def test_production_refuses_to_start_without_its_keys_in_one_line(tmp_path, command):
    result = _run({"STARS_ENV": "production", "STARS_HOME": str(tmp_path)}, *command)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: STARS_ENV=production needs STARS_SECRET_KEY and STARS_PSEUDONYM_KEY "
        "(long random values); refusing to start."
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_deploy_checks_are_clean_in_production(tmp_path, migrated_home):
    home = migrated_home(tmp_path)
    result = _run(
        {
            "STARS_ENV": "production",
            "STARS_HOME": str(home),
            "STARS_SECRET_KEY": "x" * 20
            + "-a-very-long-random-production-secret-key-value-0123456789",
            "STARS_PSEUDONYM_KEY": "a-long-random-pseudonym-key-0123456789-abcdefghijklmnop",
            "STARS_ALLOWED_HOSTS": "stars.example.org",
            "STARS_BASE_URL": "https://stars.example.org",
            "DATABASE_URL": f"sqlite:///{home}/stars.sqlite3",
        },
        "check",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deployment checks passed" in result.stdout


def test_deploy_checks_in_production_warn_when_emails_would_link_to_this_machine(
    tmp_path, migrated_home
):
    # unset, STARS_BASE_URL is http://127.0.0.1:8000: every email's link led nowhere
    home = migrated_home(tmp_path)
    result = stars_command(
        "check",
        env={
            "STARS_ENV": "production",
            "STARS_HOME": str(home),
            "STARS_SECRET_KEY": STRONG,
            "STARS_PSEUDONYM_KEY": STRONG[::-1],
            "STARS_ALLOWED_HOSTS": "stars.example.org",
            "DATABASE_URL": f"sqlite:///{home}/stars.sqlite3",
        },
        drop=(*NOT_INHERITED, "STARS_BASE_URL"),
        timeout=120,
    )
    said = " ".join((result.stdout + result.stderr).split())  # the terminal's wrapping undone
    assert result.returncode == 1, said
    assert "(stars.W001) STARS_BASE_URL is http://127.0.0.1:8000 (its default when not set)" in said
    assert "HINT: Set STARS_BASE_URL to the service's https:// address" in said
    assert "deployment checks passed" not in said


STRONG = "a-long-random-production-key-0123456789-abcdefghijklmnop"


@pytest.mark.parametrize("command", [["check"], ["serve", "--port", "9", "--no-worker"]])
def test_production_refuses_to_start_with_a_weak_key_in_one_line(tmp_path, command):
    # the example settings file's placeholders, left in place, started the web server
    example = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy" / "stars.env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    for secret, pseudonym, named in (
        (example["STARS_SECRET_KEY"], STRONG, "STARS_SECRET_KEY is"),
        (STRONG, example["STARS_PSEUDONYM_KEY"], "STARS_PSEUDONYM_KEY is"),
        ("x" * 64, "django-insecure-" + STRONG, "STARS_SECRET_KEY and STARS_PSEUDONYM_KEY are"),
    ):
        env = {
            "STARS_ENV": "production",
            "STARS_HOME": str(tmp_path),
            "STARS_SECRET_KEY": secret,
            "STARS_PSEUDONYM_KEY": pseudonym,
            "STARS_ALLOWED_HOSTS": "stars.example.org",
        }
        result = _run(env, *command)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: STARS_ENV=production: {named} too short or too simple (50 characters or "
            "more, of at least 5 different; make one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'); refusing to start."
        ]
