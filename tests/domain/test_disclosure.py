"""Keyed pseudonyms: stable per recipient, different between recipients and keys."""

from __future__ import annotations

import pytest

from stars.domain.disclosure import PSEUDONYM_CHARS, pseudonym


def p(key="k" * 32, recipient="evaluator", kind="referral", value="R000005"):
    return pseudonym(key=key, recipient=recipient, kind=kind, value=value)


def test_stable_and_readable():
    assert p() == p()
    assert p().startswith("ref-") and len(p()) == len("ref-") + PSEUDONYM_CHARS
    assert p(kind="child", value="C000005").startswith("child-")
    assert p()[4:].isalnum() and p()[4:].islower()


def test_different_for_another_recipient_key_kind_or_record():
    base = p()
    assert p(recipient="evaluation-team") != base
    assert p(key="another-key") != base
    assert p(value="R000006") != base
    assert p(kind="child")[6:] != base[4:]


def test_a_recipient_name_cannot_be_shifted_into_the_id():
    # without the derived recipient key, ("a:b", "c") and ("a", "b:c") could collide
    assert p(recipient="evaluator:referral", value="x") != p(recipient="evaluator", value="x")


def test_an_empty_key_or_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        p(key="")
    with pytest.raises(ValueError):
        p(kind="enquiry")
