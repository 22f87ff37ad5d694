"""Every contract error names the file, the line and column, and the key at fault; a milestone
no referral's window could reach is refused so."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.toml_positions import decode_error_position, key_position, toml_loads

ROOT = Path(__file__).resolve().parents[2]
MILESTONES = (ROOT / "contracts" / "examples" / "continuous-milestones.toml").read_text("utf-8")
DN2 = (ROOT / "contracts" / "dn2-stars.toml").read_text("utf-8")
SAMPLES = sorted(
    [
        *ROOT.joinpath("contracts").glob("**/*.toml"),
        *ROOT.joinpath("tests").glob("**/contract*.toml"),
    ]
)


def line_of(text: str, written: str, after: str = "") -> int:
    """The number of the first line of ``text`` starting with ``written`` (spaces aside)
    after the first holding ``after``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith(written)) + 1


def refusal(text: str) -> ContractError:
    with pytest.raises(ContractError) as err:
        parse_contract(text, "c.toml")
    return err.value


def test_a_milestone_longer_than_the_programme_is_refused_at_its_line():
    """90 continuous weeks in a 78-week programme: a referral's weeks count only within
    programme_weeks of its referral date, so no run could ever earn it."""
    text = MILESTONES.replace("programme_weeks = 104", "programme_weeks = 78").replace(
        "continuous_weeks = 52", "continuous_weeks = 90"
    )
    line = line_of(text, "continuous_weeks = 90")
    assert str(refusal(text)) == (
        f"c.toml:{line}: column 3: cohort[0].milestone[2].continuous_weeks: 90 weeks can never "
        "be reached: a referral's weeks count only within programme_weeks = 78 weeks of its "
        "referral date; expected at most 78"
    )
    # as long as the programme: reached by a run from the referral date to the window's end
    at_the_end = MILESTONES.replace("programme_weeks = 104", "programme_weeks = 52")
    assert parse_contract(at_the_end).cohorts[0].milestones[-1].continuous_weeks == 52


@pytest.mark.parametrize(
    ("old", "new", "key", "written", "column", "message"),
    [
        (  # a type error
            "start = 2020-09-01",
            'start = "Sept 2020"',
            "programme.start",
            "start = ",
            1,
            "expected a date like 2020-09-01, found 'Sept 2020'",
        ),
        (  # a range error
            "lcf_share = 0.25",
            "lcf_share = 25",
            "programme.lcf_share",
            "lcf_share",
            1,
            "is a share from 0 to 1, found 25",
        ),
        (  # in a table of a table of an array
            "min_age = 10\n",
            "min_age = -10\n",
            "cohort[0].eligibility[0].min_age",
            "min_age = -10",
            3,
            "expected a whole number 0 or more, found -10",
        ),
        (  # a code given twice: at the second
            'code = "B"',
            'code = "a"',
            "cohort[1].code",
            'code = "a"',
            1,
            "'a' appears more than once",
        ),
    ],
)
def test_type_range_and_repeated_values_are_named_at_their_line(
    old, new, key, written, column, message
):
    assert old in DN2
    text = DN2.replace(old, new, 1)
    err = refusal(text)
    assert (err.key, err.message) == (key, message)
    assert (err.line, err.column) == (line_of(text, written), column)
    assert str(err) == f"c.toml:{err.line}: column {column}: {key}: {message}"


def test_a_missing_key_is_named_at_the_table_that_lacks_it():
    text = DN2.replace('saving_kind = "avoided"\nminimum_referrals = 52', "minimum_referrals = 52")
    err = refusal(text)
    header = [i for i, line in enumerate(text.splitlines(), 1) if line == "[[cohort]]"][1]
    assert str(err) == f"c.toml:{header}: column 1: cohort[1].saving_kind: is missing"


def test_a_syntax_error_is_named_at_its_line_and_column():
    err = refusal('[programme]\nname = "STARS\n')
    assert (err.key, err.line, err.column) == ("(syntax)", 2, 14)
    assert str(err) == "c.toml:2: column 14: (syntax): Illegal character '\\n'"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_key_of_every_sample_contract_is_found_on_its_own_line(path):
    text = path.read_text(encoding="utf-8")

    def leaves(value, key):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from leaves(v, f"{key}.{k}" if key else k)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                yield from leaves(v, f"{key}[{i}]")
        else:
            yield key

    lines = text.splitlines()
    for key in leaves(tomllib.loads(text), ""):
        found = key_position(text, key)
        assert found is not None, key
        line, column = found
        name = key.rsplit(".", 1)[-1]
        assert lines[line - 1][column - 1 :].startswith(name), (key, found)
    parse_contract(text, str(path))  # and every sample still loads


@settings(max_examples=25, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=6000),
    before=st.integers(min_value=0, max_value=3),
    key=st.sampled_from(["a", "phase_weeks", '"q r"']),
)
def test_nesting_of_any_depth_is_read_or_refused_at_its_deepest_point(depth, before, key):
    # tomllib reads each level by calling itself: thousands of "[" ran Python's stack out
    # (a RecursionError naming nothing); the contract names where the nesting is deepest
    head = "".join(f"x{i} = 1\n" for i in range(before))
    text = f"{head}{key} = {'[' * depth}{']' * depth}\n"
    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        assert decode_error_position(exc) == (
            before + 1,
            len(key) + 3 + depth,
            f"arrays or inline tables nested {depth} deep, too deep to read; expected a few levels",
        )
        with pytest.raises(ContractError, match=rf"^contract\.toml:{before + 1}: column "):
            parse_contract(text)
    else:
        value, n = data[key.strip('"')], 0
        while isinstance(value, list) and value:
            value, n = value[0], n + 1
        assert n + 1 == depth and value == []


def test_a_contract_nested_thousands_deep_is_refused_at_its_line_and_column():
    text = DN2 + "\nzz = " + "[" * 50_000 + "]" * 50_000 + "\n"
    line = len(DN2.splitlines()) + 2
    with pytest.raises(ContractError) as caught:
        parse_contract(text)
    assert str(caught.value) == (
        f"contract.toml:{line}: column 50005: (syntax): arrays or inline tables nested 50000 "
        "deep, too deep to read; expected a few levels"
    )
