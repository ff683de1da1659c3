"""Imports choose whether customers are invited to surveys; the jobs made before the choice
existed did invite them (existing rows get True), new ones do not unless asked."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0011_timeline_checked_by_services"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactimport",
            name="invite_customers",
            field=models.BooleanField(default=True, verbose_name="invite customers to surveys"),
        ),
        migrations.AlterField(
            model_name="contactimport",
            name="invite_customers",
            field=models.BooleanField(default=False, verbose_name="invite customers to surveys"),
        ),
    ]
