from django.db import migrations


def into_the_only_programme(apps, schema_editor):
    """Uploads stored with no programme (before programmes existed, or the first tracker
    of a service whose import never finished) join the programme when the service holds
    exactly one: they can only be its. With none or several, they are left without one
    and listed to the users of the upload pages as "No programme"
    (docs/decisions/0010-uploads-without-a-programme.md)."""
    db = schema_editor.connection.alias
    programmes = list(
        apps.get_model("partnership", "Programme").objects.using(db).values_list("code", flat=True)[:2]
    )
    if len(programmes) == 1:
        apps.get_model("uploads", "Upload").objects.using(db).filter(programme="").update(
            programme=programmes[0]
        )


class Migration(migrations.Migration):

    dependencies = [
        ("partnership", "0004_council_code_unique_any_case"),
        ("uploads", "0003_alter_upload_kind"),
    ]

    operations = [migrations.RunPython(into_the_only_programme, migrations.RunPython.noop)]
