"""Councils are shared by every programme: a second programme's contract that names another's
council by its code (in any case) must give it the same name, or is refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import IntegrityError, transaction

from stars import cli
from stars.partnership.models import Contract, Council, Programme
from stars.referrals.models import Enquiry, Referral
from tests.tracker.test_other_programme import HARBOUR, load

NAME = "North Bay Council (Cyngor Bae'r Gogledd)"


def second_contract(tmp_path: Path, code: str, name: str) -> Path:
    """The harbour contract as the programme ``cove``, naming its first council so."""
    text = (HARBOUR / "contract.toml").read_text(encoding="utf-8")
    text = text.replace('code = "harbour"', 'code = "cove"')
    text = text.replace(f'code = "NorthBay"\nname = "{NAME}"', f'code = "{code}"\nname = "{name}"')
    path = tmp_path / "cove.toml"
    path.write_text(text, encoding="utf-8")
    return path


def import_tracker(contract: Path):
    args = ["import-tracker", "--contract", str(contract)]
    for option, name in (
        ("enquiries", "enquiries.csv"),
        ("referrals", "referrals.csv"),
        ("periods", "outcome_periods.csv"),
    ):
        args += [f"--{option}", str(HARBOUR / name)]
    return CliRunner().invoke(cli.app, args)


def snapshot() -> dict[str, list]:
    return {
        "councils": sorted(Council.objects.values_list("id", "code", "name")),
        "programmes": sorted(Programme.objects.values_list("id", "code", "name")),
        "members": sorted(Programme.local_authorities.through.objects.values_list("pk", flat=True)),
        "contracts": sorted(Contract.objects.values_list("id", "programme_id", "active")),
        "enquiries": sorted(Enquiry.objects.values_list("pk", flat=True)),
        "referrals": sorted(Referral.objects.values_list("pk", flat=True)),
    }


@pytest.mark.parametrize("code", ["NorthBay", "northbay"])
def test_a_contract_renaming_another_programme_s_council_is_refused_and_changes_nothing(
    db, tmp_path, code
):
    load()
    before = snapshot()
    contract = second_contract(tmp_path, code, "North Bay Unitary Authority")
    got = import_tracker(contract)
    assert got.exit_code == 2 and "Traceback" not in got.output
    line = contract.read_text().splitlines().index(f'code = "{code}"') + 1
    assert got.stderr.splitlines() == [
        f"error: {contract}:{line}: column 1: local_authority[0].code: the council 'NorthBay' "
        f'is already held, named "{NAME}", and this contract names it \'North Bay Unitary '
        "Authority'; councils are shared by every programme, so give it the same name (or "
        "another code); nothing was imported"
    ]
    assert snapshot() == before
    assert Council.objects.get(code="NorthBay").name == NAME


@pytest.mark.parametrize("code", ["NorthBay", "NORTHBAY"])
def test_a_contract_naming_another_programme_s_council_alike_shares_it(db, tmp_path, code):
    load()
    councils = sorted(Council.objects.values_list("id", "code", "name"))
    got = import_tracker(second_contract(tmp_path, code, NAME))
    assert got.exit_code == 0, got.output
    assert sorted(Council.objects.values_list("id", "code", "name")) == councils
    cove = Programme.objects.get(code="cove")
    assert sorted(cove.local_authorities.values_list("code", flat=True)) == [
        "NorthBay",
        "southreach",
    ]


def test_two_councils_may_not_differ_only_in_the_case_of_their_code(db):
    Council.objects.create(code="derby", name="Derby City Council")
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.create(code="Derby", name="Derby City Council")
    assert Council.objects.count() == 1
