"""A user made at the command line is in the audit like any change: who ran the command
(the operating-system user, said to be one), the user made, their role and council."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stars.cli import app
from stars.core.audit import reads
from stars.core.models import AccessLog
from stars.core.system import os_user
from stars.partnership.models import User

pytestmark = pytest.mark.django_db


def test_a_user_made_by_stars_createuser_is_audited_with_the_operating_system_user(users):
    before = AccessLog.objects.count()
    done = CliRunner().invoke(
        app,
        ["createuser", "ops-made", "--role", "admin"],
        env={"STARS_PASSWORD": "long-enough-Pass-1"},
    )
    assert done.exit_code == 0, done.output
    made = User.objects.get(username="ops-made")
    actor = f"{os_user()} (operating-system user, stars createuser)"
    entry = AccessLog.objects.get(action="create", object_type="user")
    assert AccessLog.objects.count() == before + 1
    assert entry.username == actor and entry.user is None
    assert entry.object_id == str(made.pk)
    assert entry.detail.startswith("ops-made: role admin, programmes ")
    assert list(reads(who=actor)) == [entry]
    created = made.history.get()
    assert created.history_type == "+" and created.history_change_reason == f"created by {actor}"


def test_a_user_refused_at_the_command_line_leaves_no_audit_entry(users):
    before = AccessLog.objects.count()
    done = CliRunner().invoke(
        app, ["createuser", "spoc", "--role", "admin"], env={"STARS_PASSWORD": "long-enough-Pass-1"}
    )
    assert done.exit_code == 2
    assert AccessLog.objects.count() == before


def test_the_council_is_named_as_the_contract_spells_its_code(users):
    """Codes are read in any case: "--council DERBY" made a Derby user, and the command said
    "(spoc, DERBY)", a council code the contract does not spell."""
    done = CliRunner().invoke(
        app,
        ["createuser", "spoc-two", "--role", "spoc", "--council", "DERBY"],
        env={"STARS_PASSWORD": "long-enough-Pass-1"},
    )
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "created spoc-two (spoc, derby)"
    assert User.objects.get(username="spoc-two").council.code == "derby"
