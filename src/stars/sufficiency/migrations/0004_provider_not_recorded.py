"""Foster and residential episodes with no PLACE_PROVIDER were kept in the group of an
external provider (agency fostering, external residential); they are now "provider not
recorded". The placement group of every stored episodes file's rows is worked out again
from its PLACE and PLACE_PROVIDER, as an import now does."""

from dataclasses import replace

from django.db import migrations

from stars.domain.sufficiency.ssda903 import read_stored, stored_rows, with_placement_group


def regroup(apps, schema_editor):
    stored = apps.get_model("sufficiency", "SufficiencyReturn")
    files = stored.objects.filter(kind="episodes").order_by("pk")
    for pk, year, name in list(files.values_list("pk", "collection_year", "file_name")):
        data = bytes(stored.objects.values_list("frame", flat=True).get(pk=pk))  # one at a time
        if not data:
            continue
        rows = read_stored(name, year, "episodes", data)
        rows = replace(rows, frame=with_placement_group(rows.frame))
        stored.objects.filter(pk=pk).update(frame=stored_rows(rows))


class Migration(migrations.Migration):
    dependencies = [
        ("sufficiency", "0003_stored_rows"),
    ]

    operations = [
        migrations.RunPython(regroup, migrations.RunPython.noop),
    ]
