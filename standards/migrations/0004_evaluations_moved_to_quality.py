"""Evaluations moved to the ``quality`` app: forgotten here, the tables stay (quality's 0001
takes them over under the same names, so every row survives)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('standards', '0003_evaluations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='evaluationitem',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationitem',
                    name='criterion',
                ),
                migrations.DeleteModel(
                    name='Evaluation',
                ),
                migrations.DeleteModel(
                    name='EvaluationItem',
                ),
            ],
            database_operations=[],
        ),
    ]
