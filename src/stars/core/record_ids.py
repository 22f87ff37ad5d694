"""The path converter of enquiry and referral ids in page addresses (``<record_id:...>``).

An id may hold "/" (docs/tracker-format.md), which one part of an address cannot hold:
``stars.domain.references`` writes it "~" there and reads it back, so ``/cases/TS~R023/``
opens TS/R023 and ``reverse("case_detail", args=["TS/R023"])`` gives that address.
"""

from __future__ import annotations

from stars.domain.references import id_from_address, id_in_address


class RecordIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return id_from_address(value)

    def to_url(self, value: str) -> str:
        return id_in_address(value)
