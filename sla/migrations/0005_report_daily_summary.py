"""The daily summary of the SLA report and the triggers that keep it (PostgreSQL only; see
sla/reports/summary.py). Filling it reads every contact once: about a minute for ten million."""

from django.db import migrations


def forwards(apps, schema_editor):
    from sla.reports import summary

    summary.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from sla.reports import summary

    summary.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_contact_import_and_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
