"""Fewer indexes on the contacts and their timelines: each costs every row a backfill writes.

Gone: the indexes foreign keys had of their own where a wider index begins with the same column,
``sla_contact_opened`` (``sla_contact_sort_opened`` begins with ``opened_at``); the import
batch's index becomes partial (few contacts have one).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The index each foreign key had of its own (named as Django named it): (table, column, name).
DROPPED = [
    ("sla_breach", "contact_id", "sla_breach_contact_id_a29c8cfc"),
    ("sla_contact", "agent_id", "sla_contact_agent_id_b0631f8c"),
    ("sla_contact", "channel_id", "sla_contact_channel_id_3f6fe6b0"),
    ("sla_contact", "import_batch_id", "sla_contact_import_batch_id_188c7e45"),
    ("sla_contactevent", "contact_id", "sla_contactevent_contact_id_38800c13"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("channels_app", "0001_initial"),
        ("sla", "0009_report_daily_coarse"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="sla_contact_opened",
        ),
        # The foreign keys lose only their own index: Django would also drop and re-add each
        # constraint, which validates it again over every row of a large table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="breach",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="breaches",
                        to="sla.contact",
                        verbose_name="contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="agent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="sla_contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contacts",
                        to="channels_app.channel",
                        verbose_name="channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="import_batch",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        to="sla.contactimport",
                        verbose_name="import",
                    ),
                ),
                migrations.AlterField(
                    model_name="contactevent",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="sla.contact",
                        verbose_name="contact",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({column})",
                )
                for table, column, name in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("import_batch__isnull", False)),
                fields=["import_batch"],
                name="sla_contact_import_batch",
            ),
        ),
    ]
