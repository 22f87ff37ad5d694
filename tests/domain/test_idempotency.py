"""The rules of a write sent again (stars.domain.idempotency)."""

from __future__ import annotations

import datetime as dt

import pytest

from stars.domain.idempotency import key_valid, minutes_ago, request_fingerprint


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("0b1e7c52-5d0f-4c1e-9a57-6f1d1c1a2b3c", True),
        ("x", True),
        ("x" * 255, True),
        ("", False),
        ("x" * 256, False),
        ("with space", False),
        ("tab\there", False),
        ("caf\u00e9", False),
    ],
)
def test_a_key_is_visible_ascii_of_1_to_255_characters(key, valid):
    assert key_valid(key) is valid


def test_the_same_json_is_the_same_request_whatever_its_order_and_spacing():
    a = request_fingerprint("POST", "/api/enquiries", b'{"a": 1, "b": [2, 3]}')
    assert a == request_fingerprint("post", "/api/enquiries", b'{\n "b": [2,3],\n "a": 1}')
    assert a != request_fingerprint("POST", "/api/enquiries", b'{"a": 1, "b": [3, 2]}')
    assert a != request_fingerprint("POST", "/api/enquiries?programme=x", b'{"a": 1, "b": [2, 3]}')
    assert a != request_fingerprint("PUT", "/api/enquiries", b'{"a": 1, "b": [2, 3]}')
    # a body that is not JSON is compared as it is
    assert request_fingerprint("POST", "/p", b"\xff{") != request_fingerprint("POST", "/p", b"{")


def test_minutes_ago():
    now = dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert minutes_ago(now - dt.timedelta(seconds=59), now) == "less than a minute ago"
    assert minutes_ago(now - dt.timedelta(seconds=60), now) == "1 minute ago"
    assert minutes_ago(now - dt.timedelta(minutes=9, seconds=59), now) == "9 minutes ago"
