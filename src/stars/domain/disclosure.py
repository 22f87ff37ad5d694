"""Keyed pseudonyms for what leaves the service about a child (the evaluator's extract).

A pseudonym is an HMAC-SHA256 of the record's id, keyed by a secret of the service (kept out
of the database) and the recipient of the extract. So:

- the same recipient gets the same pseudonym for a record in every extract, and can follow
  a referral or a child from one extract to the next;
- another recipient gets different pseudonyms, so two extracts cannot be joined;
- nobody without the key can go from a pseudonym back to the referral, and no page, claim
  or document of the service prints a pseudonym, nor does an extract print an id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PSEUDONYM_CHARS = 10  # base32: 50 bits, collisions unlikely below ~10 million records
KINDS = {"referral": "ref-", "child": "child-"}


def _mac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def pseudonym(*, key: str, recipient: str, kind: str, value: str) -> str:
    """The pseudonym of ``value`` (an id of ``kind``: referral or child) for ``recipient``.

    The recipient's own key is derived from the service's key first, so a recipient's name
    can hold any character without two (recipient, id) pairs ever meaning the same message.
    """
    if kind not in KINDS:
        raise ValueError(f"no pseudonym kind {kind!r}; expected one of {sorted(KINDS)}")
    if not key:
        raise ValueError("a pseudonym needs a key")
    recipient_key = _mac(key.encode("utf-8"), f"recipient:{recipient}")
    digest = _mac(recipient_key, f"{kind}:{value}")
    code = base64.b32encode(digest).decode("ascii").lower()[:PSEUDONYM_CHARS]
    return KINDS[kind] + code
