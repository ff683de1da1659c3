"""The timeline and the breaches lose their database foreign key to the contact.

PostgreSQL checks such a key once per row, by a trigger at commit: a backfill writes three or
four timeline rows and about one breach per contact, and those checks were a quarter of its
time. The rows are written by the contact services only, with (or under a lock of) their
contact; the ORM's CASCADE still deletes them with it. The indexes on ``contact_id`` stay.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0010_fewer_contact_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="breach",
            name="contact",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="breaches",
                to="sla.contact",
                verbose_name="contact",
            ),
        ),
        migrations.AlterField(
            model_name="contactevent",
            name="contact",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="sla.contact",
                verbose_name="contact",
            ),
        ),
    ]
