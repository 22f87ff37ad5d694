"""`stars sufficiency validate`: DfE's full rule set runs in its own environment and its
findings come back by file, line and column, without touching the database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stars.sufficiency.validator import Finding, finding_of, summary
from tests.conftest import stars_command

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)


def _stars(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return stars_command(
        "sufficiency",
        "validate",
        *args,
        home=tmp_path / "home",
        drop=("DATABASE_URL",),
        timeout=900,
    )


def _returns(tmp_path: Path, header_rows: str, episode_rows: str) -> Path:
    folder = tmp_path / "returns"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "header.csv").write_text(HEADER + header_rows, encoding="utf-8")
    (folder / "2024" / "episodes.csv").write_text(EPISODES + episode_rows, encoding="utf-8")
    return folder


def test_a_finding_points_at_the_file_line_and_column_of_its_year():
    item = {"table": "Header", "row": 0, "child": "C1", "code": "393", "message": "m",
            "columns": ["DEC", "MOTHER", "LS"]}  # fmt: skip
    assert finding_of(2024, item) == Finding("2024/header.csv", 2, ("MOTHER",), "C1", "393", "m")
    last = {**item, "table": "Episodes_last", "row": 7, "columns": ["PL_LA"]}
    assert finding_of(2024, last).file == "2023/episodes.csv"
    assert finding_of(2024, last).line == 9
    assert finding_of(2024, last).columns == ("PL_POST",)  # derived from the postcode


def test_the_summary_counts_findings_per_rule_most_frequent_first():
    fs = [Finding("f", i, (), "", code, code + "!") for i, code in enumerate("abbcbc")]
    assert summary(fs) == [("b", 3, "b!"), ("c", 2, "c!"), ("a", 1, "a!")]


def test_it_asks_for_the_councils_code_and_names_a_missing_folder(tmp_path):
    done = _stars(tmp_path, str(tmp_path))
    assert done.returncode == 2 and "--council" in done.stderr
    done = _stars(tmp_path, str(tmp_path), "--council", "nowhere")
    assert done.returncode == 2 and "no ONS code" in done.stderr
    done = _stars(tmp_path, str(tmp_path / "absent"), "--la", "E06000015")
    assert done.returncode == 2 and "absent: no such directory" in done.stderr


def test_dfe_rules_run_in_their_own_environment_and_findings_name_file_line_column(tmp_path):
    folder = _returns(
        tmp_path,
        "C1,2,17/05/2011,WBRI,A123456789012,,\nC2,1,03/02/2012,WBRI,A123456789013,,\n",
        "C1,01/06/2023,S,C2,N1,U4,PR1,,,,ZZ99 3JS,ZZ99 5JX,\n"
        "C2,01/07/2023,S,C2,N1,U4,PR1,,,,ZZ99 3JS,ZZ99 5JX,\n",
    )
    out_csv = tmp_path / "findings.csv"
    done = _stars(tmp_path, str(folder), "--council", "derby", "--out", str(out_csv))
    assert done.returncode == 1, done.stderr
    # C1 is a girl looked after with the mother field blank: DfE rule 393
    assert "2024/header.csv:2: column MOTHER: rule 393:" in done.stdout
    assert "2024/header.csv:3: column MOTHER" not in done.stdout  # C2 is a boy
    assert "2024: rules lac2023_24:" in done.stdout
    rows = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "file,line,columns,child,rule,message"
    assert any(r.startswith("2024/header.csv,2,MOTHER,C1,393,") for r in rows)
    assert not (tmp_path / "home" / "stars.sqlite3").exists()  # the database is not touched


def test_dfe_rules_run_on_a_file_saved_in_windows_1252_with_semicolons_as_the_import_reads_it(
    tmp_path,
):
    # DfE's validator reads UTF-8 and commas only: it is given the rows the import reads
    folder = _returns(
        tmp_path,
        "C1,2,17/05/2011,WBRI,A123456789012,,\nC2,1,03/02/2012,WBRI,A123456789013,,\n",
        "C1,01/06/2023,S,C2,N1,U4,PR1,,,,ZZ99 3JS,ZZ99 5JX,\n"
        "C2,01/07/2023,S,C2,N1,U4,PR1,,,,ZZ99 3JS,ZZ99 5JX,\n",
    )
    header = folder / "2024" / "header.csv"
    text = header.read_text(encoding="utf-8").replace(",", ";").replace("\n", "\r\n")
    header.write_bytes(text.replace("A123456789013", "A12345678901É").encode("cp1252"))
    done = _stars(tmp_path, str(folder), "--council", "derby")
    assert done.returncode == 1, done.stderr
    assert "2024/header.csv:2: column MOTHER: rule 393:" in done.stdout
    assert "note: 2024/header.csv: read as Windows-1252, not UTF-8" in done.stdout
    assert "note: 2024/header.csv: columns separated by semicolons, not commas" in done.stdout


def test_a_validator_that_runs_too_long_is_stopped_and_named(tmp_path):
    from django.conf import settings

    from stars.sufficiency.validator import ValidatorUnavailable, ensure_environment, run_year

    folder = _returns(tmp_path, "C1,1,03/02/2012,WBRI,,,\n", "C1,01/07/2023,S,C2,N1,U4,PR1,,,,,,\n")
    python = ensure_environment(settings.STARS_VALIDATOR_903, lambda message: None)
    year = folder / "2024"
    with pytest.raises(ValidatorUnavailable, match="2024: the validator ran longer than 0 s"):
        run_year(
            python,
            year=2024,
            la="E06000015",
            this=(year / "header.csv", year / "episodes.csv"),
            previous=None,
            timeout=0.2,
        )


def test_the_findings_csv_writes_a_formula_like_child_id_as_text(tmp_path):
    import csv

    from stars.sufficiency.validator import write_csv

    attack = '=HYPERLINK("http://x.invalid","y")'
    out = tmp_path / "findings.csv"
    write_csv(out, [Finding("2024/episodes.csv", 7, ("DECOM",), attack, "103", "-1 is wrong")])
    with out.open(newline="", encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row == {
        "file": "2024/episodes.csv",
        "line": "7",
        "columns": "DECOM",
        "child": "'" + attack,
        "rule": "103",
        "message": "'-1 is wrong",
    }


def test_a_validator_folder_that_cannot_be_written_is_named_with_what_to_do(tmp_path):
    blocker = tmp_path / "not-a-folder"  # its child cannot be made, even by root
    blocker.write_text("")
    env = blocker / "venv-903"
    folder = _returns(tmp_path, "C1,1,03/02/2012,WBRI,,,\n", "C1,01/07/2023,S,C2,N1,U4,PR1,,,,,,\n")
    done = stars_command(
        *("sufficiency", "validate", str(folder), "--la", "E06000015"),
        home=tmp_path / "home",
        env={"STARS_VALIDATOR_903": str(env), "COLUMNS": "400"},
        drop=("DATABASE_URL",),
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"DfE's SSDA903 validator cannot be installed in {env}" in done.stderr
    assert "Set STARS_VALIDATOR_903 to a folder" in done.stderr
