"""The column-wise fast path accepts only what the row-by-row checker accepts, identically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.fast import parse_clean
from stars.domain.tracker.parsing import TrackerFile, parse_rows, parse_tracker
from stars.domain.tracker.rows import write_tracker

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")
NAMES = ("enquiries.csv", "referrals.csv", "outcome_periods.csv")
PROGRAMME = generate_programme(DN2, n_referrals=80, as_of=dt.date(2024, 11, 30), seed=7)
FILES = write_tracker(PROGRAMME.enquiries, PROGRAMME.referrals, PROGRAMME.periods)
TEXTS = tuple(FILES[n] for n in NAMES)

# values that break, bend or keep a field: blanks, padding, case, other codes and ids, dates
# that are impossible, reversed or moved, quotes and odd characters the fast path refuses
VALUES = st.sampled_from(
    [
        "",
        " ",
        "x",
        "Derby",
        " derby ",
        "NOTTINGHAM",
        "wales",
        "A",
        "b",
        "E",
        "progressed",
        "Pending",
        "withdrawn",
        "live",
        "closed_early",
        "graduated",
        "gf_complete",
        "sib",
        "GUARANTEED",
        "placement_breakdown",
        "2019-01-01",
        "2020-10-01",
        "2021-06-30",
        "2022-02-29",
        "2023-13-01",
        "2024-11-30",
        "2030-01-01",
        "2010-05-01",
        "2003-01-01",
        "21-06-2021",
        "2021-6-1",
        '"E1"',
        "E1\u00a0",
        "R\x1f",
        # ids and references: the documented pattern's edges, formulas, NUL, overlong
        "E.1_a-b/2",
        "9" * 40,
        "R" * 41,
        "x" * 200_000,
        "=1+1",
        "+E1",
        "-R1",
        "@SUM(A1)",
        "\tE1",
        " E1\t",
        "E 1",
        "É1",
        "R\x00",
        "\x00",
    ]
)


def _check(texts: tuple[str, str, str]) -> None:
    files = tuple(TrackerFile(n, t) for n, t in zip(NAMES, texts, strict=True))
    slow = parse_rows(DN2, *files)
    fast = parse_clean(DN2, files)  # type: ignore[arg-type]
    if fast is None:
        return
    e, r, p, warnings, more = fast
    assert slow.errors == (), [str(x) for x in slow.errors[:3]]
    assert e.equals(slow.enquiries) and r.equals(slow.referrals) and p.equals(slow.periods)
    assert tuple(warnings) == slow.warnings and more == slow.more_warnings


def test_a_clean_tracker_takes_the_fast_path_with_the_same_rows_and_warnings():
    files = tuple(TrackerFile(n, t) for n, t in zip(NAMES, TEXTS, strict=True))
    assert parse_clean(DN2, files) is not None  # type: ignore[arg-type]
    got = parse_tracker(DN2, *files)
    slow = parse_rows(DN2, *files)
    assert got.errors == () and len(got.warnings) > 0  # the synthetic data has some
    assert got.warnings == slow.warnings
    assert got.enquiry_rows == slow.enquiry_rows and got.period_rows == slow.period_rows
    _check(TEXTS)


def test_a_broken_tracker_is_worded_by_the_row_checker():
    enq = TEXTS[0].replace(",derby,", ",wales,", 1)
    got = parse_tracker(DN2, (NAMES[0], enq), (NAMES[1], TEXTS[1]), (NAMES[2], TEXTS[2]))
    assert any("unknown council 'wales'" in str(p) for p in got.errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, 2),
    line=st.integers(1, 10_000),
    column=st.integers(0, 10),
    value=VALUES,
)
def test_one_changed_field_is_accepted_by_both_or_refused_by_the_fast_path(
    which, line, column, value
):
    texts = list(TEXTS)
    lines = texts[which].split("\n")
    i = 1 + line % (len(lines) - 2)
    cells = lines[i].split(",")
    cells[column % len(cells)] = value
    lines[i] = ",".join(cells)
    texts[which] = "\n".join(lines)
    _check((texts[0], texts[1], texts[2]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, 2),
    line=st.integers(1, 10_000),
    other=st.integers(1, 10_000),
    action=st.sampled_from(["duplicate", "delete", "blank", "swap", "extra", "short", "crlf"]),
)
def test_one_changed_line_is_accepted_by_both_or_refused_by_the_fast_path(
    which, line, other, action
):
    texts = list(TEXTS)
    lines = texts[which].split("\n")
    n = len(lines) - 2
    i, j = 1 + line % n, 1 + other % n
    if action == "duplicate":
        lines.insert(j, lines[i])
    elif action == "delete":
        del lines[i]
    elif action == "blank":
        lines.insert(i, "")
    elif action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "extra":
        lines[i] += ",x"
    elif action == "short":
        lines[i] = lines[i].rsplit(",", 1)[0]
    else:
        texts[which] = "\r\n".join(lines)
        _check((texts[0], texts[1], texts[2]))
        return
    texts[which] = "\n".join(lines)
    _check((texts[0], texts[1], texts[2]))


def test_ages_across_the_year_end_are_worked_out_as_the_row_checker_does():
    # a birthday late in the year against an enquiry early in the next: month x 100 + day
    # must not overflow (Polars gives months and days as 8-bit integers)
    lines = TEXTS[0].split("\n")
    cells = lines[3].split(",")
    cells[3], cells[4], cells[5] = "D", "2020-10-25", "2003-01-01"  # aged 17: over D's 16
    lines[3] = ",".join(cells)
    texts = ("\n".join(lines), TEXTS[1], TEXTS[2])
    files = tuple(TrackerFile(n, t) for n, t in zip(NAMES, texts, strict=True))
    got = parse_tracker(DN2, *files)
    assert any(w.line == 4 and "aged 17" in w.message for w in got.warnings)
    _check(texts)
