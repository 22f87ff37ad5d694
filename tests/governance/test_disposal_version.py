"""A disposal moves the data version on: figures cached before it (holding what it removed)
are never served after it, even when it deletes the newest history rows the version is
read from, and the version never returns to one seen before."""

from __future__ import annotations

import pytest

from stars.core.cache import cached_figures, data_version
from stars.governance.services import disposal_approve, disposal_request
from stars.partnership.services import user_create
from stars.referrals.models import Enquiry
from stars.web.today import TODAY_RECORDS
from tests.conftest import PASSWORD
from tests.governance.conftest import TODAY


def _reasons(computed: list[str]) -> dict[str, str]:
    """A figure cached per version of the records: every enquiry's "why now" text."""

    def compute() -> dict[str, str]:
        computed.append("once more")
        return dict(Enquiry.objects.values_list("enquiry_id", "why_now"))

    return cached_figures("why-now", data_version(TODAY_RECORDS), (), compute)


@pytest.mark.parametrize("changed_first", [False, True], ids=["untouched", "changed-first"])
def test_a_disposal_moves_the_version_and_no_figure_from_before_it_is_served(
    held, users, changed_first
):
    computed: list[str] = []
    seen = [data_version(TODAY_RECORDS)]
    assert _reasons(computed)["E-OLD"] == "Free text about the family"
    if changed_first:  # the enquiry's change is the newest history row: the disposal deletes it
        enquiry = held["E-OLD"]
        enquiry.why_now = "Later free text about the family"
        enquiry.save()
        seen.append(data_version(TODAY_RECORDS))
        assert seen[1] != seen[0]
        assert _reasons(computed)["E-OLD"] == "Later free text about the family"
    assert len(computed) == len(seen)

    admin2 = user_create(username="admin2", role="admin", council=None, password=PASSWORD)
    asked = disposal_request(kind="enquiry_not_progressed", by=users["admin"], today=TODAY)
    disposal_approve(disposal=asked, by=admin2)

    assert data_version(TODAY_RECORDS) not in seen
    after = _reasons(computed)
    assert len(computed) == len(seen) + 1  # worked out anew, not a figure from before
    assert after == {"E-OLD": "", "E-NEW": "Free text about the family"}  # E-NEW is not due
