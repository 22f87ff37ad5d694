"""The tracker CSVs: every message names FILE:LINE and column; export re-imports the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.checks import MAX_PROBLEMS
from stars.domain.tracker.parsing import TrackerFile, parse_tracker
from stars.domain.tracker.rows import write_tracker

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")

ENQ_HEAD = (
    "enquiry_id,child_ref,local_authority,cohort,enquiry_date,date_of_birth,decision,"
    "decision_date\n"
)
REF_HEAD = (
    "referral_id,enquiry_id,child_ref,local_authority,cohort,date_of_birth,funding,"
    "referral_date,status,end_date,closure_reason\n"
)
PER_HEAD = "referral_id,start_date,end_date\n"
ENQ = ENQ_HEAD + (
    "E1,CH1,Derby,a,2021-01-10,2010-05-01,Progressed,2021-01-20\n"
    "E2,CH2,nottingham,B,2021-02-10,2011-05-01,withdrawn,2021-02-20\n"
    "E3,CH3,NOTTINGHAMSHIRE,d,2024-11-01,2012-05-01,pending,\n"
)
REF = REF_HEAD + (
    "R1,E1,CH1,derby,A,2010-05-01,SIB,2021-02-01,Closed_Early,2021-09-01,Placement_Breakdown\n"
    "R2,,CH1,derby,C,2010-05-01,guaranteed,2021-09-10,live,,\n"
)
PER = PER_HEAD + ("R1,2021-02-01,2021-05-03\nR1,2021-05-10,2021-09-01\nR2,2021-09-10,\n")


def parse(enq: str = ENQ, ref: str = REF, per: str = PER):
    return parse_tracker(
        DN2, ("enquiries.csv", enq), ("referrals.csv", ref), ("outcome_periods.csv", per)
    )


def errors(**files: str) -> list[str]:
    return [str(p) for p in parse(**files).errors]


def test_a_good_tracker_parses_with_canonical_codes():
    got = parse()
    assert got.ok, got.messages()
    assert [e.local_authority for e in got.enquiry_rows] == [
        "derby",
        "nottingham",
        "nottinghamshire",
    ]
    assert [e.cohort for e in got.enquiry_rows] == ["A", "B", "D"]
    r1, r2 = got.referral_rows
    assert (r1.funding, r1.status, r1.closure_reason) == (
        "sib",
        "closed_early",
        "placement_breakdown",
    )
    assert r2.enquiry_id is None and r2.end_date is None
    assert got.enquiry_rows[2].decision_date is None
    assert got.periods.height == 3 and got.referrals["referral_date"].dtype.is_temporal()


def test_export_then_import_gives_the_same_rows():
    got = parse()
    files = write_tracker(got.enquiry_rows, got.referral_rows, got.period_rows)
    again = parse_tracker(DN2, *files.items())
    assert again.ok
    assert again.enquiry_rows == got.enquiry_rows
    assert again.referral_rows == got.referral_rows
    assert again.period_rows == got.period_rows
    # and frames write the same text as rows
    assert write_tracker(got.enquiries, got.referrals, got.periods) == files
    assert files["referrals.csv"].splitlines()[1] == (
        "R1,E1,CH1,derby,A,2010-05-01,sib,2021-02-01,closed_early,2021-09-01,placement_breakdown"
    )


def test_missing_and_unknown_columns():
    got = parse(enq=ENQ.replace(",decision,", ",verdict,"))
    assert [str(p) for p in got.errors] == [
        "enquiries.csv:1: column decision: missing from the header; expected columns "
        "enquiry_id, child_ref, local_authority, cohort, enquiry_date, date_of_birth, "
        "decision, decision_date",
    ]
    assert str(got.warnings[0]).startswith("enquiries.csv:1: column verdict: unknown column")


def test_an_unknown_column_is_named_as_the_file_heads_it():
    got = parse(enq=ENQ.replace(",decision_date\n", ",decision_date, Social Worker \n", 1))
    assert [str(p) for p in got.warnings] == [
        "enquiries.csv:1: column Social Worker: unknown column, ignored; expected columns "
        "enquiry_id, child_ref, local_authority, cohort, enquiry_date, date_of_birth, "
        "decision, decision_date"
    ]


def test_a_file_not_read_for_its_header_does_not_blame_the_records_referring_to_it():
    # its records were never read, so "no enquiry 'E1' in enquiries.csv" would be false
    twice = REF.replace(",closure_reason\n", ",closure_reason,Cohort\n", 1)
    assert errors(ref=twice) == [
        "referrals.csv:1: column cohort: appears twice in the header; expected each column once"
    ]
    assert errors(enq="") == [
        "enquiries.csv:1: the file is empty; expected a header row: enquiry_id, child_ref, "
        "local_authority, cohort, enquiry_date, date_of_birth, decision, decision_date"
    ]
    no_id = PER.replace("referral_id,", "referral,", 1)
    assert errors(per=no_id) == [
        "outcome_periods.csv:1: column referral_id: missing from the header; expected columns "
        "referral_id, start_date, end_date"
    ]
    # a reference to a record that is truly absent is still named
    assert errors(per=PER + "R9,2021-02-01,\n")[0].startswith(
        "outcome_periods.csv:5: column referral_id: no referral 'R9' in referrals.csv"
    )


def test_line_numbers_are_physical_lines_across_quoted_line_breaks():
    enq = (
        ENQ_HEAD.replace("\n", ",note\n")
        + 'E1,CH1,derby,A,2021-01-10,2010-05-01,progressed,2021-01-20,"two\nlines"\n'
        + "\n"
        + "E2,CH2,derby,E,2021-02-10,2011-05-01,withdrawn,2021-02-20,\n"
    )
    got = parse(enq=enq)
    assert [str(p) for p in got.errors] == [
        "enquiries.csv:5: column cohort: unknown cohort 'E'; expected one of A, B, C, D"
    ]
    assert [str(p) for p in got.warnings][0].startswith("enquiries.csv:1: column note:")


def test_dates_must_be_strict_iso_and_real():
    enq = ENQ_HEAD + (
        "E1,CH1,derby,A,10/01/2021,2010-05-01,progressed,2021-01-20\n"
        "E2,CH2,derby,A,2021-02-30,2010-05-01,progressed,2021-03-01\n"
        "E3,CH3,derby,A,2021-1-5,2010-05-01,progressed,2021-03-01\n"
    )
    assert errors(enq=enq, ref=REF_HEAD, per=PER_HEAD) == [
        "enquiries.csv:2: column enquiry_date: '10/01/2021' is not a date; expected "
        "YYYY-MM-DD: 10 January 2021 is 2021-01-10",
        "enquiries.csv:3: column enquiry_date: '2021-02-30' is not a real date; "
        "expected YYYY-MM-DD",
        "enquiries.csv:4: column enquiry_date: '2021-1-5' is not a date; expected "
        "YYYY-MM-DD: 5 January 2021 is 2021-01-05",
    ]


def test_a_date_written_another_common_way_is_refused_with_its_iso_form():
    """A spreadsheet saved in the UK writes 1/2/2025 or 1 Feb 2025: still refused (the
    format's dates are ISO), but the message says how to write it."""
    per = PER_HEAD + "".join(f"R1,{typed},\n" for typed in ("1/2/2025", "1 Feb 2025"))
    per += "R1,1 Febuary 2025,\nR1,31/02/2025,\n"
    found = errors(enq=ENQ_HEAD, ref=REF_HEAD, per=per)
    got = [e.split("start_date: ", 1)[1] for e in found if "start_date: " in e]
    assert got[:4] == [
        "'1/2/2025' is not a date; expected YYYY-MM-DD: 1 February 2025 is 2025-02-01",
        "'1 Feb 2025' is not a date; expected YYYY-MM-DD: 1 February 2025 is 2025-02-01",
        "'1 Febuary 2025' is not a date; expected YYYY-MM-DD",
        "'31/02/2025' is not a date; expected YYYY-MM-DD",
    ]


def test_decision_date_is_blank_exactly_when_pending():
    enq = ENQ_HEAD + (
        "E1,CH1,derby,A,2021-01-10,2010-05-01,withdrawn,\n"
        "E2,CH2,derby,A,2021-01-10,2010-05-01,pending,2021-01-20\n"
        "E3,CH3,derby,A,2021-01-10,2010-05-01,criteria_not_met,2021-01-09\n"
        "E4,CH4,derby,A,2021-01-10,2010-05-01,maybe,2021-01-19\n"
    )
    assert errors(enq=enq, ref=REF_HEAD, per=PER_HEAD) == [
        "enquiries.csv:2: column decision_date: is blank; expected the date of the withdrawn "
        "decision",
        "enquiries.csv:3: column decision_date: must be blank while the decision is pending; "
        "found 2021-01-20",
        "enquiries.csv:4: column decision_date: 2021-01-09 is before the enquiry date "
        "2021-01-10; expected on or after it",
        "enquiries.csv:5: column decision: unknown decision 'maybe'; expected one of progressed, "
        "pending, withdrawn, criteria_not_met, waiting_list, not_progressed_other",
    ]


def test_referral_rules():
    ref = REF_HEAD + (
        "R1,E1,CH1,derby,A,2010-05-01,sib,2021-02-01,live,2021-09-01,\n"
        "R2,E1,CH1,leeds,A,2010-05-01,bond,2021-02-01,graduated,,\n"
        "R3,E1,CH1,derby,A,2010-05-01,sib,2021-02-01,closed_early,2021-01-01,\n"
        "R4,E1,CH1,derby,A,2010-05-01,sib,2021-02-01,graduated,2023-01-30,other\n"
        "R5,E9,CH1,derby,A,2010-05-01,sib,2020-08-01,closed_early,2021-03-01,bored\n"
        "R1,,CH1,derby,A,2010-05-01,sib,2021-02-01,live,,\n"
    )
    assert errors(ref=ref, per=PER_HEAD) == [
        "referrals.csv:2: column end_date: must be blank while the status is live; "
        "found 2021-09-01",
        "referrals.csv:3: column local_authority: unknown council 'leeds'; expected one of "
        "derby, nottingham, nottinghamshire",
        "referrals.csv:3: column funding: unknown funding 'bond'; expected one of sib, guaranteed",
        "referrals.csv:3: column end_date: is blank; expected the date support ended (graduated)",
        "referrals.csv:4: column end_date: 2021-01-01 is before the referral date 2021-02-01; "
        "expected on or after it",
        "referrals.csv:4: column closure_reason: is blank; expected one of consent_withdrawn, "
        "placement_breakdown, care_plan_change, entered_care, increased_risk, other for a "
        "closed_early referral",
        "referrals.csv:5: column closure_reason: must be blank unless the status is "
        "closed_early; found 'other' with status graduated",
        "referrals.csv:6: column enquiry_id: no enquiry 'E9' in enquiries.csv; expected an "
        "enquiry_id of that file, or blank for a re-referral",
        "referrals.csv:6: column referral_date: 2020-08-01 is before the programme start "
        "2020-09-01; expected on or after it",
        "referrals.csv:6: column closure_reason: unknown closure reason 'bored'; expected one "
        "of consent_withdrawn, placement_breakdown, care_plan_change, entered_care, "
        "increased_risk, other",
        "referrals.csv:7: column referral_id: duplicate id 'R1' (first at line 2); expected "
        "each id once",
    ]


def test_period_rules():
    per = PER_HEAD + (
        "R1,2021-01-01,2021-03-01\n"  # before the referral date
        "R1,2021-02-15,2021-04-01\n"  # overlaps line 2
        "R1,2021-05-01,2021-04-01\n"  # ends before it starts
        "R9,2021-05-01,\n"  # no such referral
        "R2,2021-09-10,\n"
        "R2,2022-01-01,2022-02-01\n"  # after a continuing period
        "R2,2022-02-01,\n"  # adjacent to the one before: fine, but still after line 6
    )
    assert errors(per=per) == [
        "outcome_periods.csv:2: column start_date: 2021-01-01 is before the referral date "
        "2021-02-01 of referral R1; expected on or after it",
        "outcome_periods.csv:4: column end_date: 2021-04-01 is before the start date 2021-05-01; "
        "expected on or after it",
        "outcome_periods.csv:5: column referral_id: no referral 'R9' in referrals.csv; expected "
        "a referral_id of that file",
        "outcome_periods.csv:3: column start_date: period from 2021-02-15 overlaps the period "
        "from 2021-01-01 to 2021-03-01 (line 2) of referral R1; expected periods of one "
        "referral not to overlap",
        "outcome_periods.csv:7: column start_date: period from 2022-01-01 overlaps the period "
        "from 2021-09-10 continuing (line 6) of referral R2; expected periods of one referral "
        "not to overlap",
        "outcome_periods.csv:8: column start_date: period from 2022-02-01 overlaps the period "
        "from 2021-09-10 continuing (line 6) of referral R2; expected periods of one referral "
        "not to overlap",
    ]


def test_eligibility_breaches_are_warnings_on_the_right_date():
    enq = ENQ_HEAD + "E1,CH1,derby,B,2022-03-31,2014-01-01,progressed,2022-04-05\n"
    ref = REF_HEAD + (
        "R1,E1,CH1,derby,B,2014-01-01,sib,2022-04-10,live,,\n"
        # a re-referral is checked on its own date: aged 8 in cohort A (10-16)
        "R2,,CH1,derby,A,2014-01-01,sib,2022-05-01,live,,\n"
    )
    got = parse(enq=enq, ref=ref, per=PER_HEAD)
    assert got.ok
    assert [str(w) for w in got.warnings] == [
        "enquiries.csv:2: column date_of_birth: outside the eligibility rule on the enquiry date "
        "2022-03-31: aged 8, under the minimum age 10 for cohort B (rule from 2020-09-01); "
        "expected a child the rule admits (imported with this warning)",
        "referrals.csv:3: column date_of_birth: outside the eligibility rule on the re-referral "
        "date 2022-05-01: aged 8, under the minimum age 10 for cohort A (rule from 2020-09-01); "
        "expected a child the rule admits (imported with this warning)",
    ]


def test_errors_are_capped_with_a_count_of_the_rest():
    bad = ENQ_HEAD + "".join(
        f"E{i},CH{i},derby,Z,2021-01-10,2010-05-01,progressed,2021-01-20\n" for i in range(250)
    )
    got = parse(enq=bad, ref=REF_HEAD, per=PER_HEAD)
    assert len(got.errors) == MAX_PROBLEMS
    assert got.more_errors == 50
    assert got.messages()[MAX_PROBLEMS] == "… and 50 more errors"


def test_empty_file_and_ragged_rows():
    got = parse(enq="", ref=REF_HEAD, per=PER_HEAD + "R1,2021-02-01,,extra\n")
    assert [str(p) for p in got.errors] == [
        "enquiries.csv:1: the file is empty; expected a header row: enquiry_id, child_ref, "
        "local_authority, cohort, enquiry_date, date_of_birth, decision, decision_date",
        "outcome_periods.csv:2: has 4 fields; expected 3 as in the header",
    ]


def test_a_row_with_a_field_left_out_is_refused_not_read_with_its_values_shifted():
    # R1's start date left out: read leniently, its end date would become its start date
    # and the period would run on without end
    short = PER_HEAD + "R1,2021-05-03\nR1,2021-05-10,2021-09-01\nR2,2021-09-10,\n"
    message = (
        "outcome_periods.csv:2: has 2 fields; expected 3 as in the header (a blank cell is an "
        "empty field between commas)"
    )
    assert errors(per=short) == [message]  # a clean file, checked column-wise first
    assert errors(per=short.replace("R2,", '"R2",')) == [message]  # checked row by row
    ref = REF.replace("live,,\n", "live\n")  # blank end date and reason left out too
    assert errors(ref=ref, per=PER_HEAD) == [
        "referrals.csv:3: has 9 fields; expected 11 as in the header (a blank cell is an "
        "empty field between commas)"
    ]
    # blank header cells after the named columns need no fields
    got = parse(per="referral_id,start_date,end_date,,\nR1,2021-02-01,2021-03-01\n")
    assert got.ok and len(got.period_rows) == 1


def test_file_names_come_from_the_caller_and_bom_is_ignored():
    got = parse_tracker(
        DN2,
        TrackerFile("log.csv", "\ufeff" + ENQ.replace("a,2021-01-10", "Q,2021-01-10")),
        TrackerFile("refs.csv", REF),
        ("weeks.csv", PER),
    )
    assert [str(p) for p in got.errors][0] == (
        "log.csv:2: column cohort: unknown cohort 'Q'; expected one of A, B, C, D"
    )
    assert got.referral_rows[0].referral_date == dt.date(2021, 2, 1)


def test_blank_and_repeated_header_cells():
    got = parse(per="referral_id,start_date,end_date,,\nR1,2021-02-01,2021-03-01,,\n")
    assert got.ok and len(got.period_rows) == 1
    got = parse(per="referral_id,start_date,Start_Date\nR1,2021-02-01,2021-02-01\n")
    assert [str(p) for p in got.errors] == [
        "outcome_periods.csv:1: column start_date: appears twice in the header; expected each "
        "column once"
    ]


ID_RULE = (
    "expected 1 to 40 characters: letters, digits and - _ . /, starting with a letter or digit"
)


def test_ids_and_references_follow_the_documented_pattern():
    enq = ENQ.replace("E2,CH2,", "=HYPERLINK(1),CH2,").replace("E3,CH3,", "E3,CH 3,")
    ref = REF.replace("R2,,CH1,", "R2,@E1,CH1,")
    per = PER.replace("R1,2021-05-10", "\tR1,2021-05-10")
    assert errors(enq=enq, ref=ref, per=per) == [
        "enquiries.csv:3: column enquiry_id: '=HYPERLINK(1)' starts with '=', which a "
        f"spreadsheet would run as a formula; {ID_RULE}",
        f"enquiries.csv:4: column child_ref: 'CH 3' has the character ' '; {ID_RULE}",
        "referrals.csv:3: column enquiry_id: '@E1' starts with '@', which a spreadsheet would "
        f"run as a formula; {ID_RULE}",
        "outcome_periods.csv:3: column referral_id: '\\tR1' starts with '\\t', which a "
        f"spreadsheet would run as a formula; {ID_RULE}",
    ]
    # the edges: 40 characters and every allowed character pass, 41 do not
    ok = ENQ.replace("E1,CH1,", "e.1_A-b/2,CH1,").replace("E2,CH2,", f"{'9' * 40},CH2,")
    assert parse(enq=ok, ref=REF.replace(",E1,", ",e.1_A-b/2,")).ok
    long = ENQ.replace("E2,CH2,", f"{'9' * 41},CH2,")
    assert errors(enq=long) == [
        f"enquiries.csv:3: column enquiry_id: is 41 characters long; {ID_RULE}"
    ]


def test_a_huge_cell_is_named_at_its_line_and_column_and_quoted_short():
    huge = "R" * 10_000_000
    got = errors(ref=REF.replace("R2,,CH1,", f"R2,,{huge},"))
    assert got == [f"referrals.csv:3: column child_ref: is 10,000,000 characters long; {ID_RULE}"]
    got = errors(enq=ENQ.replace(",withdrawn,", f",{huge},"))
    assert len(got) == 1 and got[0].startswith("enquiries.csv:3: column decision: unknown ")
    assert "… (10,000,000 characters)" in got[0] and len(got[0]) < 300


def test_a_nul_byte_in_any_cell_is_one_error_at_its_line_and_column():
    enq = ENQ_HEAD.replace("\n", ",note\n") + (
        "E1,CH1,derby,A,2021-01-10,2010-05-01,progressed,2021-01-20,fine\n"
        "E2\x00,CH2,derby,B,2021-02-10,2011-05-01,withdrawn,2021-02-20,\n"
        "E3,CH3,derby,D\x00,2024-11-01,2012-05-01,pending,,a\x00b\n"
    )
    nul = "contains a NUL byte; expected text without NUL bytes"
    assert errors(enq=enq, ref=REF_HEAD, per=PER_HEAD) == [
        f"enquiries.csv:3: column enquiry_id: {nul}",
        f"enquiries.csv:4: column cohort: {nul}",
        f"enquiries.csv:4: column note: {nul}",
    ]


def test_an_unterminated_quote_is_one_error_where_it_opens():
    enq = ENQ_HEAD + (
        "E1,CH1,derby,A,2021-01-10,2010-05-01,progressed,2021-01-20\n"
        'E2,"CH2,derby,B,2021-02-10,2011-05-01,withdrawn,2021-02-20\n'
        "E3,CH3,derby,D,2024-11-01,2012-05-01,pending,\n"
    )
    got = parse(enq=enq, ref=REF, per=PER)
    # nothing about later lines, and no referral is blamed for enquiries the file lost
    assert [str(p) for p in got.errors] == [
        "enquiries.csv:3: column child_ref: a quote opens here and is never closed, so the "
        'rest of the file would be read as this one field; expected a closing quote (") at '
        "the end of the field"
    ]
    # a quoted field with a line break before it moves the line down
    enq = ENQ_HEAD.replace("\n", ",note\n") + (
        'E1,CH1,derby,A,2021-01-10,2010-05-01,progressed,2021-01-20,"two\nlines",\n'
    )
    enq = enq.replace('"two\nlines",', '"two\nlines","')
    got = parse(enq=enq, ref=REF_HEAD, per=PER_HEAD)
    assert [(p.line, p.column) for p in got.errors] == [(3, "10")]
    got = parse(per='referral_id,"start_date,end_date\n')
    assert [(p.line, p.column) for p in got.errors] == [(1, "2")]


def test_text_after_a_closing_quote_is_named():
    got = errors(per=PER_HEAD + 'R1,"2021-02-01"x,2021-05-03\n')
    assert got == [
        "outcome_periods.csv:2: text follows a closing quote; expected a comma after it (a "
        'quote inside a quoted field is written twice: "")'
    ]


def test_a_guaranteed_referral_before_guaranteed_funding_began_is_refused():
    """[guaranteed_funding] from = 2021-04-01 (DN2's guaranteed funding began in April
    2021): a guaranteed referral dated before it is an error at its line, on both the
    column-wise and the row-by-row path."""
    assert DN2.guaranteed_funding.start == dt.date(2021, 4, 1)
    ref = REF_HEAD + (
        "R1,E1,CH1,derby,A,2010-05-01,guaranteed,2021-02-01,Closed_Early,2021-09-01,other\n"
        "R2,,CH1,derby,C,2010-05-01,guaranteed,2021-09-10,live,,\n"
    )
    assert errors(ref=ref) == [
        "referrals.csv:2: column funding: is guaranteed, but guaranteed funding starts on "
        "2021-04-01 ([guaranteed_funding] from) and the referral date is 2021-02-01; "
        "expected sib"
    ]
    assert parse().ok  # the same referral as sib, and a guaranteed one after April 2021
    undated = parse_contract(TOML.read_text(encoding="utf-8").replace("from = 2021-04-01", ""))
    assert undated.guaranteed_funding.start is None
    got = parse_tracker(
        undated, ("enquiries.csv", ENQ), ("referrals.csv", ref), ("outcome_periods.csv", PER)
    )
    assert got.ok, got.messages()
