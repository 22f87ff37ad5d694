"""Each stored return keeps its rows as parsed (``stored_rows``), so the pages read them back
without parsing the text. Returns stored before are filled here by the same parsing the
pages used until now (typed, not checked again: they were checked when imported)."""

from django.db import migrations, models

from stars.domain.sufficiency.ssda903 import parse_episodes, parse_header, stored_rows


def fill(apps, schema_editor):
    stored = apps.get_model("sufficiency", "SufficiencyReturn")
    files = stored.objects.order_by("pk").values_list("pk", "kind", "collection_year", "file_name")
    for pk, kind, year, name in list(files):  # a file at a time
        text = stored.objects.values_list("text", flat=True).get(pk=pk)
        parse = parse_header if kind == "header" else parse_episodes
        stored.objects.filter(pk=pk).update(frame=stored_rows(parse(name, text, year, check=False)))


class Migration(migrations.Migration):
    dependencies = [
        ("sufficiency", "0002_childlink_historicalchildlink"),
    ]

    operations = [
        migrations.AddField(
            model_name="sufficiencyreturn",
            name="frame",
            field=models.BinaryField(default=b""),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
