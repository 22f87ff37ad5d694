"""The same programme entered through the services the pages call, and imported through the
tracker, gives the same evaluation report (issue 5: one engine for both doors)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.core.management import call_command

from stars.cases.services import case_close, outcome_period_record
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.partnership.models import Council
from stars.partnership.services import contract_load, user_create
from stars.referrals import services
from stars.referrals.models import Enquiry
from stars.reports.evaluation import evaluation_json
from stars.tracker.importer import tracker_import
from tests.conftest import CONTRACT, PASSWORD

AS_OF = dt.date(2024, 11, 30)


def _programme():
    terms = parse_contract(CONTRACT.read_text())
    p = generate_programme(terms, n_referrals=40, as_of=AS_OF, seed=11)
    refs = p.referrals
    # a re-referral takes its previous referral's funding when entered through the pages
    first = refs.filter(pl.col("enquiry_id").is_not_null()).select("child_ref", "funding")
    refs = refs.join(first.rename({"funding": "first_funding"}), on="child_ref", how="left")
    refs = refs.filter(
        pl.col("enquiry_id").is_not_null() | (pl.col("funding") == pl.col("first_funding"))
    ).drop("first_funding")
    periods = p.periods.filter(
        pl.col("referral_id").is_in(refs["referral_id"].implode())
        & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("start_date")))
    )
    return terms, p.enquiries, refs, periods


def test_pages_and_the_tracker_give_the_same_report(transactional_db):
    terms, enquiries, referrals, periods = _programme()
    text = CONTRACT.read_text()
    tracker_import(
        contract_text=text,
        contract_source=str(CONTRACT),
        enquiries=enquiries,
        referrals=referrals,
        periods=periods,
    )
    imported = evaluation_json(scope=None, as_of=AS_OF)
    assert '"total": 0' not in imported.split('"referrals"')[1][:40]

    call_command("flush", interactive=False, verbosity=0)
    contract_load(text=text, source=str(CONTRACT))
    commissioners = {
        c.code: user_create(
            username=f"com-{c.code}", role="commissioner", council=c.code, password=PASSWORD
        )
        for c in Council.objects.all()
    }
    made: dict[str, Enquiry] = {}
    for e in enquiries.sort("enquiry_date").iter_rows(named=True):
        enquiry = services.enquiry_record(
            council=Council.objects.get(code=e["local_authority"]),
            cohort=e["cohort"],
            given_name="Synthetic",
            family_name="Child",
            date_of_birth=e["date_of_birth"],
            enquiry_date=e["enquiry_date"],
            outside_criteria=True,
        )
        if e["decision"] != "pending":
            services.enquiry_decide(
                enquiry=enquiry,
                decision=e["decision"],
                on=e["decision_date"],
                reason="recorded at the meeting",
            )
        made[e["enquiry_id"]] = enquiry
    by_ref_id = {}
    for r in referrals.sort("referral_date").iter_rows(named=True):
        if r["enquiry_id"]:
            enquiry = made[r["enquiry_id"]]
            if terms.consent_call_required(enquiry.enquiry_date):
                services.consent_call_record(
                    enquiry=enquiry,
                    on=enquiry.decision_date,
                    spoke_to="carer",
                    outcome="agreed",
                    by=None,
                )
            if r["funding"] == "guaranteed":
                services.guaranteed_funding_approve(
                    enquiry=enquiry,
                    by=commissioners[r["local_authority"]],
                    on=enquiry.decision_date,
                )
            referral = services.referral_accept(
                enquiry=enquiry, on=r["referral_date"], funding=r["funding"], cohort=r["cohort"]
            )
        else:
            previous = next(
                v
                for v in by_ref_id.values()
                if v[1] == r["child_ref"] and v[0].enquiry_id is not None
            )[0]
            previous.refresh_from_db()
            reason = "extension" if previous.status == "graduated" else "cohort_move"
            referral = services.referral_rerefer(
                referral=previous, on=r["referral_date"], cohort=r["cohort"], reason=reason
            )
        by_ref_id[r["referral_id"]] = (referral, r["child_ref"])
        mine = periods.filter(pl.col("referral_id") == r["referral_id"]).sort("start_date")
        for p in mine.iter_rows(named=True):
            outcome_period_record(
                referral=referral, start_date=p["start_date"], end_date=p["end_date"]
            )
        if r["status"] != "live":
            case_close(
                referral=referral,
                outcome=r["status"],
                on=r["end_date"],
                reason=r["closure_reason"] or "",
                narrative="recorded on the case",
            )
    assert evaluation_json(scope=None, as_of=AS_OF) == imported
