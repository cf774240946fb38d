from django.db import migrations

from gonghui.lib.search import SearchIndex

INDEXES = (SearchIndex("membership_enterprise_search"), SearchIndex("membership_member_search"))


def forwards(apps, schema_editor):
    for index in INDEXES:
        index.create(schema_editor)


def backwards(apps, schema_editor):
    for index in INDEXES:
        index.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("membership", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
