"""The audit page's "Latest changes": narrowed by the record filter as the access log is, and
free of the rows a sign-in used to add."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from stars.cases import record
from tests.conftest import PASSWORD


def _changes(html: str) -> str:
    return html.split('data-testid="changes"')[1].split("</table>")[0]


def _narrowed(client, record: str) -> str:
    """The audit page narrowed to ``record``, as the page asks: posted."""
    return client.post("/audit/", {"record": record}).content.decode()


def test_the_record_filter_narrows_the_latest_changes(client, users, referrals):
    derby, nottingham = referrals["derby"], referrals["nottingham"]
    meeting = record.meeting_record(
        referral=derby,
        on=dt.date(2022, 2, 1),
        attendees=["therapist"],
        actions=[("Book the course", "Key worker", dt.date(2022, 3, 1))],
    )
    record.meeting_record(referral=nottingham, on=dt.date(2022, 2, 2), attendees=["therapist"])
    client.force_login(users["admin"])

    everything = _changes(client.get("/audit/").content.decode())
    assert "R-DER" in everything and "R-NOT" in everything

    about_derby = _changes(_narrowed(client, "r-der"))
    assert "R-DER" in about_derby and "R-NOT" not in about_derby
    assert "C-R-NOT" not in about_derby  # nor the other child
    assert "progress meeting" in about_derby and "meeting action" in about_derby
    assert f"meeting action {meeting.actions.get()}" in about_derby  # two steps away

    by_child = _changes(_narrowed(client, "C-R-NOT"))
    assert "C-R-NOT" in by_child and "R-DER" not in by_child

    none = _narrowed(client, "R-NOBODY")
    assert "No changes for this search" in _changes(none)


def test_a_claim_is_found_by_council_and_month(client, users, referrals):
    from stars.finance.models import OutcomeClaim
    from stars.partnership.models import Council

    march = dt.date(2024, 3, 1)
    derby = OutcomeClaim.objects.create(council=Council.objects.get(code="derby"), month=march)
    OutcomeClaim.objects.create(council=Council.objects.get(code="nottingham"), month=march)
    client.force_login(users["admin"])
    found = _changes(_narrowed(client, "derby/2024-03"))
    assert found.count("outcome claim") == 1 and f"outcome claim {derby}<" in found


def test_signing_in_adds_no_history_row(client, users):
    User = get_user_model()
    rows = User.history.count()
    assert client.post("/sign-in/", {"username": "spoc", "password": PASSWORD}).status_code == 302
    assert User.objects.get(username="spoc").last_login is not None  # the sign-in happened
    assert User.history.count() == rows
    assert not User.history.filter(history_type="~").exists()
    client.force_login(users["admin"])
    changes = _changes(client.get("/audit/").content.decode())
    assert ">changed<" not in changes  # no "user changed" row naming no field


def test_a_real_change_to_a_user_is_still_kept(users):
    User = get_user_model()
    spoc = users["spoc"]
    rows = User.history.filter(id=spoc.pk).count()
    spoc.first_name = "Sam"
    spoc.save()
    spoc.last_login = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    spoc.save(update_fields=["last_login", "first_name"])
    assert User.history.filter(id=spoc.pk).count() == rows + 2


def test_the_changes_shown_are_named_without_a_query_each(client, users, referrals):
    """A change shown is named without a query of its own: the claim lines (named by their
    claim) read their claims together, in one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stars.finance.models import ClaimLine, OutcomeClaim
    from stars.partnership.models import Council

    claim = OutcomeClaim.objects.create(
        council=Council.objects.get(code="derby"), month=dt.date(2024, 3, 1)
    )
    for _ in range(40):
        ClaimLine.objects.create(
            claim=claim,
            referral=referrals["derby"],
            kind="outcome",
            component="x",
            amount=1,
            rule="synthetic",
        )
    client.force_login(users["admin"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/audit/").content.decode()
    assert _changes(html).count(f"claim line {claim} ") == 40
    claims_read = [q for q in queries if ' FROM "finance_outcomeclaim"' in q["sql"]]
    assert len(claims_read) == 1


def test_the_latest_changes_take_a_few_queries_whatever_the_kinds_and_changes(
    client, users, referrals
):
    """The database picks the 50 latest changes in one query over every kind of record's
    history, and only those shown are read (with the record before each, for the fields
    changed): the page's queries do not grow with the kinds of record that keep a history,
    nor with the changes kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stars.core.audit import historied_models

    client.force_login(users["admin"])

    def history_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/audit/").content.decode()
        assert "No changes yet" not in html
        return sum("historical" in q["sql"] for q in queries)

    few = history_queries()
    for n in range(60):  # many more changes, of records of the same kinds
        record.meeting_record(
            referral=referrals["derby" if n % 2 else "nottingham"],
            on=dt.date(2022, 2, 1) + dt.timedelta(days=n),
            attendees=["therapist"],
        )
        referrals["derby"].cohort = f"C{n}"
        referrals["derby"].save()
    many = history_queries()
    # one query picks the changes; then, for each kind of record shown, its rows and the
    # rows before them: never a query per kind of record kept (there are dozens)
    assert len(historied_models()) > 20
    assert few <= 7 and many <= 5, (few, many)
