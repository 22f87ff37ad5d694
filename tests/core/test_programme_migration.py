"""A database from before programmes migrates into one programme: its contract, councils,
users, children, enquiries, referrals and claims."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import CONTRACT

BEFORE = [
    ("partnership", "0001_initial"),
    ("referrals", "0002_enquiry_gf_approved_by_enquiry_gf_approved_on_and_more"),
    ("finance", "0002_claim_funds"),
]


def test_the_records_of_a_database_without_programmes_join_one_programme(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    council = old.get_model("partnership", "Council").objects.create(code="derby", name="Derby")
    old.get_model("partnership", "Contract").objects.create(
        name="STARS", source="dn2-stars.toml", terms=CONTRACT.read_text(), active=True
    )
    user = old.get_model("partnership", "User").objects.create(username="pm", role="admin")
    child = old.get_model("referrals", "Child").objects.create(
        child_ref="C-1", council=council, date_of_birth=dt.date(2012, 1, 1)
    )
    referral = old.get_model("referrals", "Referral").objects.create(
        referral_id="R-1",
        child=child,
        council=council,
        cohort="B",
        referral_date=dt.date(2022, 1, 1),
    )
    old.get_model("finance", "OutcomeClaim").objects.create(
        council=council, month=dt.date(2022, 5, 1)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    (programme,) = new.get_model("partnership", "Programme").objects.all()
    assert (programme.code, programme.name) == ("dn2-stars", "STARS")
    assert list(programme.local_authorities.values_list("code", flat=True)) == ["derby"]
    assert new.get_model("partnership", "Contract").objects.get().programme_id == programme.pk
    assert list(new.get_model("partnership", "User").objects.get(pk=user.pk).programmes.all()) == [
        programme
    ]
    for app, name in [
        ("referrals", "Child"),
        ("referrals", "Referral"),
        ("finance", "OutcomeClaim"),
    ]:
        assert {r.programme_id for r in new.get_model(app, name).objects.all()} == {programme.pk}
    assert new.get_model("referrals", "Referral").objects.get(pk=referral.pk).referral_id == "R-1"
