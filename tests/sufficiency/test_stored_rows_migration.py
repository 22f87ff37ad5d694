"""Returns stored before their rows were kept get them when the database is migrated, so the
pages read every council's returns the one way, without parsing a text."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import polars as pl
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stars.demo.returns import FIRST_YEAR, LAST_YEAR, write_demo_returns
from stars.domain.sufficiency.ssda903 import (
    merge_returns,
    parse_episodes,
    parse_header,
    read_stored,
    stored_rows,
)
from stars.partnership.models import Council
from stars.sufficiency import services
from stars.sufficiency.models import SufficiencyReturn

BEFORE = [("sufficiency", "0002_childlink_historicalchildlink")]


def test_returns_stored_before_are_read_the_same_after_the_migration(transactional_db, tmp_path):
    folder = write_demo_returns(tmp_path / "r", seed=3)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    council = old.get_model("partnership", "Council").objects.create(code="derby", name="Derby")
    stored = old.get_model("sufficiency", "SufficiencyReturn")
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    for year in years:
        for kind in ("header", "episodes"):
            text = (folder / str(year) / f"{kind}.csv").read_text()
            stored.objects.create(
                council=council,
                collection_year=year,
                kind=kind,
                file_name=f"{year}/{kind}.csv",
                text=text,
                rows=text.count("\n") - 1,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
            )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    services._PARSED.clear()
    read = services.council_returns(Council.objects.get(code="derby"))
    checked = merge_returns(
        [
            parse_episodes(f"{y}/episodes.csv", (folder / f"{y}/episodes.csv").read_text(), y)
            for y in years
        ],
        [
            parse_header(f"{y}/header.csv", (folder / f"{y}/header.csv").read_text(), y)
            for y in years
        ],
    )
    assert read is not None
    assert read.episodes.equals(checked.episodes)
    assert read.headers.equals(checked.headers)
    assert read.notes == checked.notes


def test_stored_episodes_with_no_provider_are_regrouped_by_the_migration(transactional_db):
    # kept before as agency fostering / external residential, as the import grouped them
    before = [("sufficiency", "0003_stored_rows")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    council = old.get_model("partnership", "Council").objects.create(code="derby", name="Derby")
    text = (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\nA,01/06/2023,S,C2,N1,U6,,,,,,,\nB,01/06/2023,S,C2,N1,K2,,,,,,,\n"
        "C,01/06/2023,S,C2,N1,U6,PR1,,,,,,\n"
    )
    parsed = parse_episodes("2024/episodes.csv", text, 2024)
    as_kept_then = replace(
        parsed,
        frame=parsed.frame.with_columns(
            pl.Series("GROUP", ["agency fostering", "external residential", "in-house fostering"])
        ),
    )
    old.get_model("sufficiency", "SufficiencyReturn").objects.create(
        council=council,
        collection_year=2024,
        kind="episodes",
        file_name="2024/episodes.csv",
        text=text,
        frame=stored_rows(as_kept_then),
        rows=3,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    kept = SufficiencyReturn.objects.get(kind="episodes")
    frame = read_stored(kept.file_name, 2024, "episodes", bytes(kept.frame)).frame
    assert frame.equals(parsed.frame)
    assert frame["GROUP"].to_list() == [
        "fostering, provider not recorded",
        "residential, provider not recorded",
        "in-house fostering",
    ]
