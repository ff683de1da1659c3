"""The coarse level of the SLA report's daily summary (sla/reports/summary.py): minutes in
buckets, filled from the fine level, and an index to read the fine level by minutes.

Locks (PostgreSQL): none on the contacts, so writers and the import go on (their deltas wait
in the delta table). The fold waits for this migration (its advisory lock; the index build's
SHARE lock on the summary table): about ten seconds for the two million summary rows of ten
million contacts. Reports read the fine level as before meanwhile.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from sla.reports import summary

    summary.upgrade(schema_editor.connection)


def backwards(apps, schema_editor):
    from sla.reports import summary

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {summary.TABLE}_minutes")
            cursor.execute(f"DROP TABLE IF EXISTS {summary.COARSE}")


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_contact_attention_state_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
