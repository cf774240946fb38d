from django.db import migrations

from gonghui.lib.search import SearchIndex

UNIT_SEARCH = SearchIndex("core_orgunit_search")

# The audit trail is append-only in the database too: an UPDATE is refused outright (a DELETE is
# refused by the application and shows as a gap in the hash chain).
SQLITE_GUARD = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
PG_GUARD = """
CREATE FUNCTION core_auditentry_no_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_no_update();
"""


def forwards(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.using(schema_editor.connection.alias).create(pk=1)
    UNIT_SEARCH.create(schema_editor)
    schema_editor.execute(SQLITE_GUARD if schema_editor.connection.vendor == "sqlite" else PG_GUARD)


def backwards(apps, schema_editor):
    UNIT_SEARCH.drop(schema_editor)
    schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update" + (
        "" if schema_editor.connection.vendor == "sqlite" else " ON core_auditentry; DROP FUNCTION core_auditentry_no_update()"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
