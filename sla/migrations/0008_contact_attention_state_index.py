"""The index behind the dashboard's capped attention counts (sla/reports/dashboard.py).

Built with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL, outside a transaction: contact writers
are not held while it reads the table (about a minute at ten million contacts); it waits only
for transactions already running when it starts. Other databases build it plainly.
"""

from django.db import migrations, models

INDEX = models.Index(
    condition=models.Q(
        models.Q(("status", "resolved"), _negated=True),
        models.Q(
            ("first_response_state__in", ("at_risk", "breached")),
            ("resolution_state__in", ("at_risk", "breached")),
            _connector="OR",
        ),
    ),
    fields=["channel", "first_response_state", "resolution_state"],
    name="sla_contact_attention_state",
)


def forwards(apps, schema_editor):
    model = apps.get_model("sla", "Contact")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, INDEX)


def backwards(apps, schema_editor):
    model = apps.get_model("sla", "Contact")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sla", "0007_contact_import_job")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="contact", index=INDEX)],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
