"""The contract loader: terms as data, errors that name the file and key, eligibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from stars.domain.calendar import age_on
from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.evaluation.report import contract_year_expr

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
TEXT = TOML.read_text(encoding="utf-8")
DN2 = parse_contract(TEXT, "dn2-stars.toml")


def test_sample_contract_terms_are_read_as_exact_decimals():
    assert DN2.programme_weeks == 104
    assert DN2.lcf_share == Decimal("0.25")
    assert DN2.cohort_codes == ("A", "B", "C", "D")
    assert DN2.council_codes == ("derby", "nottingham", "nottinghamshire")
    a = DN2.cohort("a")
    assert (a.weekly_saving, a.saving_kind, a.proving_weeks) == (Decimal("2100.00"), "cashable", 17)
    assert DN2.guaranteed_funding.fee == Decimal("450.00") * 26
    assert DN2.canonical_council(" DERBY ") == "derby"
    assert DN2.canonical_cohort("x") is None


def test_missing_key_names_the_file_and_the_key():
    text = TEXT.replace("programme_weeks = 104\n", "")
    with pytest.raises(ContractError) as err:
        parse_contract(text, "my-contract.toml")
    assert str(err.value) == "my-contract.toml:19: column 1: programme.programme_weeks: is missing"
    assert (err.value.file, err.value.key) == ("my-contract.toml", "programme.programme_weeks")


def test_missing_key_inside_a_table_array_names_its_index():
    text = TEXT.replace('saving_kind = "avoided"\nminimum_referrals = 52', "minimum_referrals = 52")
    with pytest.raises(ContractError) as err:
        parse_contract(text, "c.toml")
    assert str(err.value) == "c.toml:67: column 1: cohort[1].saving_kind: is missing"


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        # an optional key misspelt: its term (here the per-referral cap) would be lost
        (
            "minimum_referrals = 70\n",
            "minimum_referrals = 70\nmax_payment_per_refferal = 9000.0\n",
            "cohort[0].max_payment_per_refferal",
            "did you mean 'max_payment_per_referral'?",
        ),
        ('provider = "Polaris"', 'provder = "Polaris"', "programme.provder", "'provider'"),
        ("weekly_fee = 450.00", "weekly_fee = 450.00\nfrom_date = 2021-04-01", None, None),
        ("\n[investment]\n", "\n[investments]\n", "investments", "did you mean 'investment'?"),
        ("min_age = 10\n", "min_age = 10\nmin_ag = 10\n", "cohort[0].eligibility[0].min_ag", None),
    ],
)
def test_a_key_the_contract_format_does_not_have_is_refused(old, new, key, hint):
    text = TEXT.replace(old, new, 1)
    assert text != TEXT
    with pytest.raises(ContractError) as err:
        parse_contract(text, "c.toml")
    assert "is not a key of" in err.value.message
    if key is not None:
        assert err.value.key == key
    if hint is not None:
        assert hint in err.value.message
    # what a programme already holds is still read back (``stored``)
    assert parse_contract(text, "c.toml", stored=True).name == "STARS"


def test_a_required_key_misspelt_is_named_with_its_misspelling():
    text = TEXT.replace("proving_weeks = 13", "proving_wekes = 13", 1)
    with pytest.raises(ContractError) as err:
        parse_contract(text, "c.toml")
    assert str(err.value) == (
        "c.toml:67: column 1: cohort[1].proving_weeks: is missing (the table has "
        "'proving_wekes': is it misspelt?)"
    )


def test_every_sample_contract_has_only_keys_the_format_has():
    for path in sorted(TOML.parent.glob("**/*.toml")):
        parse_contract(path.read_text(encoding="utf-8"), str(path))


def test_malformed_values_and_syntax_are_reported():
    with pytest.raises(ContractError, match=r"c.toml:\d+: column 1: programme.start: expected"):
        parse_contract(TEXT.replace("start = 2020-09-01", 'start = "Sept 2020"'), "c.toml")
    with pytest.raises(ContractError, match=r"c.toml:\d+: column 1: programme.lcf_share: is a"):
        parse_contract(TEXT.replace("lcf_share = 0.25", "lcf_share = 25"), "c.toml")
    with pytest.raises(ContractError, match=r"c.toml:1: column 11: \(syntax\)"):
        parse_contract("[programme\n", "c.toml")


@pytest.mark.parametrize(
    ("cohort", "dob", "on", "eligible"),
    [
        # cohort B: 10-16 until 31 March 2022, 6-16 from 1 April 2022
        ("B", dt.date(2014, 1, 1), dt.date(2022, 3, 31), False),  # aged 8 under the old rule
        ("B", dt.date(2014, 1, 1), dt.date(2022, 4, 1), True),  # aged 8 under the new rule
        ("B", dt.date(2016, 4, 2), dt.date(2022, 4, 1), False),  # aged 5
        ("B", dt.date(2016, 4, 1), dt.date(2022, 4, 1), True),  # 6 today
        # cohort C: 10-16, then 8-16
        ("C", dt.date(2013, 6, 1), dt.date(2022, 3, 31), False),
        ("C", dt.date(2013, 6, 1), dt.date(2022, 4, 1), True),
        # cohort A never changed: 10-16
        ("A", dt.date(2013, 6, 1), dt.date(2022, 4, 1), False),
        ("A", dt.date(2005, 4, 1), dt.date(2022, 3, 31), True),  # 16, the day before 17
        ("A", dt.date(2005, 4, 1), dt.date(2022, 4, 1), False),  # 17
    ],
)
def test_eligibility_is_effective_dated(cohort, dob, on, eligible):
    verdict = DN2.eligibility(cohort, dob, on)
    assert verdict.eligible is eligible, verdict.reason


def test_eligibility_reason_names_the_rule_in_force():
    verdict = DN2.eligibility("B", dt.date(2014, 1, 1), dt.date(2022, 3, 31))
    assert verdict.reason == "aged 8, under the minimum age 10 for cohort B (rule from 2020-09-01)"
    verdict = DN2.eligibility("B", dt.date(2014, 1, 1), dt.date(2022, 4, 1))
    assert verdict.rule is not None and verdict.rule.start == dt.date(2022, 4, 1)


def test_age_on_a_leap_day_birthday():
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 28)) == 15
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 29)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2023, 3, 1)) == 15


def test_contract_years_run_twelve_months_from_the_start():
    assert DN2.contract_year(dt.date(2020, 9, 1)) == 1
    assert DN2.contract_year(dt.date(2021, 8, 31)) == 1
    assert DN2.contract_year(dt.date(2021, 9, 1)) == 2
    assert DN2.contract_year(dt.date(2020, 8, 31)) == 0
    # every started year is listed, even past the contract's own table of four
    assert DN2.years_started(dt.date(2024, 11, 30)) == [1, 2, 3, 4, 5]
    assert DN2.years_started(dt.date(2020, 8, 1)) == []


def test_contract_years_from_a_leap_day_have_no_gap_and_no_overlap():
    leap = parse_contract(TEXT.replace("start = 2020-09-01", "start = 2020-02-29"), "c.toml")
    assert leap.year_start(2) == dt.date(2021, 2, 28)
    assert leap.year_start(5) == dt.date(2024, 2, 29)
    assert leap.year_end(4) == dt.date(2024, 2, 28)
    days = [dt.date(2020, 2, 1) + dt.timedelta(days=i) for i in range(9 * 366)]
    for day in days:
        year = leap.contract_year(day)
        # each day in the year whose dates the pages print: the last that has started by it
        assert year == max(y for y in range(0, 12) if leap.year_start(y) <= day)
        if year >= 1:
            assert leap.year_start(year) <= day <= leap.year_end(year)
    # the report's column-wise count agrees day by day
    frame = pl.DataFrame({"day": days}).select(contract_year_expr(leap, "day"))
    assert frame["contract_year"].to_list() == [leap.contract_year(d) for d in days]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'name = "Derby City Council"',
            'name = "Derby\\u0000City"',
            "dn2-stars.toml: local_authority[0].name: 'Derby\\x00City' holds the control "
            "character '\\x00'; expected plain text",
        ),
        (
            'name = "Derby City Council"',
            'name = "' + "D" * 201 + '"',
            "dn2-stars.toml: local_authority[0].name: is 201 characters long; expected at most 200",
        ),
        (
            'code = "derby"',
            'code = "derby city"',
            "dn2-stars.toml: local_authority[0].code: 'derby city' is not a code; expected 1 to "
            "40 letters, digits, - and _, starting with a letter or digit",
        ),
        (
            'code = "A"',
            'code = "ABCDEFGHI"',
            "dn2-stars.toml: cohort[0].code: is 9 characters long; expected at most 8",
        ),
        (
            "[programme]\n",
            '[programme]\nclosure_reasons = ["other", "=cmd"]\n',
            "dn2-stars.toml: programme.closure_reasons[1]: '=cmd' is not a code; expected 1 to "
            "40 letters, digits, - and _, starting with a letter or digit",
        ),
    ],
)
def test_names_and_codes_are_bounded_as_the_records_keep_them(old, new, message):
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    with pytest.raises(ContractError) as err:
        parse_contract(text, "dn2-stars.toml")
    line = text.splitlines().index(new.splitlines()[-1]) + 1  # the line of the value at fault
    assert str(err.value) == message.replace(": ", f":{line}: column 1: ", 1)


# -- interventions and progress meetings ([[intervention]], progress_meeting_chair) -----------

BEFORE_INTERVENTIONS = TEXT[: TEXT.index("\n# The interventions a case may record")] + "\n"
WITHOUT_INTERVENTIONS = (BEFORE_INTERVENTIONS + TEXT[TEXT.index("\n[investment]\n") + 1 :]).replace(
    'progress_meeting_chair = "the therapist"   # the meeting form says who chairs\n', ""
)


def test_the_dn2_contract_lists_its_interventions_and_who_chairs_its_meetings():
    """The case form offered DN2's interventions (Team Parenting, Triple P, ATTUNE) and
    said "the therapist chairs" for every programme: they are DN2's contract's terms."""
    assert DN2.interventions == (
        ("team_parenting", "Team Parenting"),
        ("triple_p", "Safer Stronger Families with Triple P"),
        ("attune", "ATTUNE course for carers"),
        ("support_group", "Support group"),
        ("peer_mentoring", "Peer mentoring"),
        ("therapy", "Therapy"),
        ("other", "Other"),
    )
    assert DN2.progress_meeting_chair == "the therapist"


def test_a_contract_without_the_keys_offers_generic_interventions_and_names_no_chair():
    other = parse_contract(WITHOUT_INTERVENTIONS, "other.toml")
    assert [code for code, _ in other.interventions] == [
        "parenting_programme",
        "support_group",
        "peer_mentoring",
        "therapy",
        "other",
    ]
    assert other.progress_meeting_chair == ""
    # a kind recorded before its contract stopped listing it keeps its label
    assert other.intervention_label("triple_p") == "Safer Stronger Families with Triple P"
    assert other.intervention_label("mst_family") == "Mst family"


def test_a_contract_lists_its_own_interventions_in_its_order():
    text = WITHOUT_INTERVENTIONS + (
        '[[intervention]]\ncode = "MST"\nname = "Multisystemic Therapy"\n\n'
        '[[intervention]]\ncode = "fft"\nname = "Functional Family Therapy"\n'
    )
    other = parse_contract(text, "other.toml")
    assert other.interventions == (
        ("mst", "Multisystemic Therapy"),
        ("fft", "Functional Family Therapy"),
    )
    assert other.intervention_label("mst") == "Multisystemic Therapy"


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        (
            'code = "mst"\nname = "A"\n\n[[intervention]]\ncode = "MST"\nname = "B"\n',
            "intervention[1].code",
            "'MST' appears more than once",
        ),
        (
            'code = "multisystemic_therapy_x"\nname = "A"\n',
            "intervention[0].code",
            "is 23 characters long; expected at most 20",
        ),
        ('code = "=cmd"\nname = "A"\n', "intervention[0].code", "'=cmd' is not a code; expected"),
        ('code = "mst"\n', "intervention[0].name", "is missing"),
        (
            'code = "mst"\nname = "A"\nlabel = "B"\n',
            "intervention[0].label",
            "is not a key of intervention[0]",
        ),
    ],
)
def test_an_intervention_at_fault_is_named_at_its_line_and_column(table, key, message):
    text = WITHOUT_INTERVENTIONS + "[[intervention]]\n" + table
    with pytest.raises(ContractError) as err:
        parse_contract(text, "other.toml")
    where = str(err.value)
    assert where.startswith("other.toml:") and f": column 1: {key}: {message}" in where
    line = int(where.split(":")[1])
    leaf = key.rsplit(".", 1)[1]
    lines = text.splitlines()
    if message == "is missing":  # at the line of the table that lacks it
        assert lines[line - 1] == "[[intervention]]"
    else:
        assert lines[line - 1].startswith(f"{leaf} = ")


# -- how often progress meetings are due (progress_meeting_every_weeks) -----------------------

CHAIR = 'progress_meeting_chair = "the therapist"   # the meeting form says who chairs\n'


def _every(value: str) -> str:
    return TEXT.replace(CHAIR, f"{CHAIR}progress_meeting_every_weeks = {value}\n", 1)


def test_progress_meetings_are_due_every_6_weeks_unless_the_contract_says():
    """Every programme's meetings were due every 6 weeks, whatever its contract said."""
    assert DN2.progress_meeting_every_weeks == 6
    assert parse_contract(_every("4"), "c.toml").progress_meeting_every_weeks == 4
    assert parse_contract(_every("52"), "c.toml").progress_meeting_every_weeks == 52


@pytest.mark.parametrize(
    ("value", "found"),
    [("0", "0"), ("53", "53"), ("-6", "-6"), ("6.5", "6.5"), ('"six"', "'six'"), ("true", "true")],
)
def test_a_meeting_interval_that_is_not_whole_weeks_from_1_to_52_is_refused(value, found):
    with pytest.raises(ContractError) as err:
        parse_contract(_every(value), "c.toml")
    assert str(err.value) == (
        "c.toml:33: column 1: programme.progress_meeting_every_weeks: expected a whole number "
        f"of weeks from 1 to 52, found {found}"
    )
