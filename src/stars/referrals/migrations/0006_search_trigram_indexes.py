"""Trigram indexes for the search (PostgreSQL only; nothing on SQLite).

The search (``stars.referrals.selectors._search_q``) matches ids, child references and
names anywhere in the text, case ignored: Django writes that as
``UPPER(column::text) LIKE UPPER('%text%')``, which no B-tree index serves, so every search
read every enquiry or referral and its child. A GIN index of ``pg_trgm`` trigrams on the
same expression serves such a ``LIKE`` for text of three characters or more (shorter text
is still a scan, as before). ``pg_trgm`` is a trusted extension (PostgreSQL 13+): the
database's owner may create it.

The indexes are not in the models' ``Meta`` (SQLite has no GIN), so ``makemigrations``
does not know them; they are made and dropped here.
"""

from django.db import migrations

INDEXES = {
    "referrals_child_given_name_trgm": ("referrals_child", "given_name"),
    "referrals_child_family_name_trgm": ("referrals_child", "family_name"),
    "referrals_child_child_ref_trgm": ("referrals_child", "child_ref"),
    "referrals_enquiry_enquiry_id_trgm": ("referrals_enquiry", "enquiry_id"),
    "referrals_referral_referral_id_trgm": ("referrals_referral", "referral_id"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_import_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
