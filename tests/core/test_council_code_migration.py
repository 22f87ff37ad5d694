"""Council codes unique in any case (partnership 0004) on a database already holding two
councils whose codes differ only in case: the migration stops, naming them and how to clean
them, and changes nothing; once one is given a code of its own, it goes through."""

from __future__ import annotations

import click
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stars.cli.console import setup
from stars.core.errors import MigrationRefused

BEFORE = [("partnership", "0003_history_reason_in_full")]
CONSTRAINT = "council_code_unique_any_case"


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _constraints() -> set[str]:
    with connection.cursor() as cur:
        return set(connection.introspection.get_constraints(cur, "partnership_council"))


def test_councils_differing_only_in_case_stop_the_migration_with_their_names(
    transactional_db, capsys
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Council = old.get_model("partnership", "Council")
    Council.objects.create(code="derby", name="Derby")
    clash = Council.objects.create(code="Derby", name="Derby City")
    Council.objects.create(code="notts", name="Nottingham")
    try:
        with pytest.raises(MigrationRefused) as refused:
            MigrationExecutor(connection).migrate(_leaves())
        message = str(refused.value)
        assert "\n" not in message
        assert "'derby' (Derby, id " in message and "'Derby' (Derby City, id " in message
        assert "notts" not in message and "Nothing was changed" in message
        assert f"UPDATE partnership_council SET code = 'derby-2' WHERE id = {clash.pk};" in message
        assert CONSTRAINT not in _constraints()
        assert Council.objects.count() == 3

        # what the operator sees: `stars` commands bring the schema up to date first
        with pytest.raises(click.exceptions.Exit) as stopped:
            setup()
        assert stopped.value.exit_code == 2
        assert capsys.readouterr().err.strip() == f"error: {message}"

        # cleaned as the message says: it goes through
        with connection.cursor() as cur:
            cur.execute(f"UPDATE partnership_council SET code = 'derby-2' WHERE id = {clash.pk}")
        MigrationExecutor(connection).migrate(_leaves())
        assert CONSTRAINT in _constraints()
    finally:
        Council.objects.filter(code__in=["Derby", "derby-2"]).delete()
        MigrationExecutor(connection).migrate(_leaves())
