"""Database-level guard: published and archived versions (and their criteria and situations)
cannot change, whatever code runs the SQL.

Allowed on a frozen version: published -> archived (with archived_at), and ON DELETE SET NULL of
its author or approver. PostgreSQL also refuses deleting frozen versions and their parts; SQLite
does not, because Django's test flush deletes rows one table at a time with DELETE.

Caution for later migrations: when SQLite rebuilds a table (most ALTERs), its triggers are
dropped. ``standards/tests/test_models.py::test_database_refuses_*`` fails if that happens;
re-create the triggers in that migration (``forwards`` below can be reused).
"""

from django.db import migrations

FROZEN = "('published', 'archived')"
CONTENT_COLUMNS = [
    "number",
    "body_markdown",
    "body_html",
    "change_summary",
    "change_kind",
    "review_comment",
    "submitted_at",
    "published_at",
    "standard_id",
    "created_at",
]
PART_TABLES = ["standards_criterion", "standards_typicalsituation"]
MESSAGE = "standards: published and archived versions cannot change"


def _changed(op: str) -> str:
    return " OR ".join(f"NEW.{c} {op} OLD.{c}" for c in CONTENT_COLUMNS)


def _version_violation(distinct: str) -> str:
    return f"""
        OLD.status IN {FROZEN} AND (
            NOT (NEW.status = OLD.status OR (OLD.status = 'published' AND NEW.status = 'archived'))
            OR (OLD.status = 'archived' AND NEW.archived_at {distinct} OLD.archived_at)
            OR {_changed(distinct)}
        )"""


SQLITE_FORWARDS = [
    f"""
    CREATE TRIGGER standards_version_frozen_update
    BEFORE UPDATE ON standards_standardversion FOR EACH ROW
    WHEN {_version_violation("IS NOT")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    *[
        f"""
        CREATE TRIGGER {table}_frozen_insert
        BEFORE INSERT ON {table} FOR EACH ROW
        WHEN EXISTS (SELECT 1 FROM standards_standardversion
                     WHERE id = NEW.version_id AND status IN {FROZEN})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """
        for table in PART_TABLES
    ],
    *[
        f"""
        CREATE TRIGGER {table}_frozen_update
        BEFORE UPDATE ON {table} FOR EACH ROW
        WHEN EXISTS (SELECT 1 FROM standards_standardversion
                     WHERE id IN (OLD.version_id, NEW.version_id) AND status IN {FROZEN})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """
        for table in PART_TABLES
    ],
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS standards_version_frozen_update;",
    *[f"DROP TRIGGER IF EXISTS {t}_frozen_insert;" for t in PART_TABLES],
    *[f"DROP TRIGGER IF EXISTS {t}_frozen_update;" for t in PART_TABLES],
]

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION standards_version_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status IN {FROZEN} THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF {_version_violation("IS DISTINCT FROM")} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER standards_version_guard
    BEFORE UPDATE OR DELETE ON standards_standardversion
    FOR EACH ROW EXECUTE FUNCTION standards_version_guard();
    """,
    f"""
    CREATE OR REPLACE FUNCTION standards_version_part_guard() RETURNS trigger AS $$
    BEGIN
        IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
                SELECT 1 FROM standards_standardversion
                WHERE id = OLD.version_id AND status IN {FROZEN}))
           OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
                SELECT 1 FROM standards_standardversion
                WHERE id = NEW.version_id AND status IN {FROZEN})) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *[
        f"""
        CREATE TRIGGER {table}_guard
        BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION standards_version_part_guard();
        """
        for table in PART_TABLES
    ],
]
POSTGRES_BACKWARDS = [
    *[f"DROP TRIGGER IF EXISTS {t}_guard ON {t};" for t in PART_TABLES],
    "DROP TRIGGER IF EXISTS standards_version_guard ON standards_standardversion;",
    "DROP FUNCTION IF EXISTS standards_version_part_guard();",
    "DROP FUNCTION IF EXISTS standards_version_guard();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARDS, SQLITE_BACKWARDS),
    "postgresql": (POSTGRES_FORWARDS, POSTGRES_BACKWARDS),
}


def _run(schema_editor, index: int) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        return  # another database: the model layer still refuses
    for sql in statements[index]:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, 0)


def backwards(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
