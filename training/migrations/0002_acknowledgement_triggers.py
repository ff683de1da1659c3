"""Database-level guard: an acknowledgement row is never updated (and, on PostgreSQL, never
deleted), whatever code runs the SQL. SQLite keeps DELETE allowed because Django's test flush
deletes rows with DELETE; the model and queryset refuse it there.

Caution for later migrations: when SQLite rebuilds the table (most ALTERs), the trigger is
dropped; ``training/tests/test_acknowledgements.py::test_database_refuses_updates`` then fails.
"""

from django.db import migrations

MESSAGE = "training: acknowledgements cannot change"

SQLITE_FORWARDS = f"""
CREATE TRIGGER training_acknowledgement_immutable
BEFORE UPDATE ON training_acknowledgement FOR EACH ROW
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_BACKWARDS = "DROP TRIGGER IF EXISTS training_acknowledgement_immutable;"

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION training_acknowledgement_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER training_acknowledgement_immutable
    BEFORE UPDATE OR DELETE ON training_acknowledgement
    FOR EACH ROW EXECUTE FUNCTION training_acknowledgement_refuse();
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS training_acknowledgement_immutable ON training_acknowledgement;",
    "DROP FUNCTION IF EXISTS training_acknowledgement_refuse();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARDS)
    elif vendor == "postgresql":
        for sql in POSTGRES_FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARDS)
    elif vendor == "postgresql":
        for sql in POSTGRES_BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
