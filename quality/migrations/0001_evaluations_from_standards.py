"""Evaluations come over from ``standards`` with their tables (``db_table`` keeps the names): the
state is created here, the database is left as it is, and the content types follow so that
admin history and permissions keep pointing at the same rows."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("evaluation", "evaluationitem"):
        if not ContentType.objects.filter(app_label="quality", model=model).exists():
            ContentType.objects.filter(app_label="standards", model=model).update(
                app_label="quality"
            )


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="quality", model__in=["evaluation", "evaluationitem"]
    ).update(app_label="standards")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('channels_app', '0001_initial'),
        ('standards', '0004_evaluations_moved_to_quality'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Evaluation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('interaction_reference', models.CharField(help_text='The helpdesk ticket number, call id or chat id of the interaction.', max_length=100, verbose_name='interaction reference')),
                        ('occurred_at', models.DateTimeField(verbose_name='interaction time')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('score', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='score (%)')),
                        ('critical_missed', models.BooleanField(default=False, help_text='A critical criterion was not met, so the score is 0.', verbose_name='critical criterion not met')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='evaluated at')),
                        ('agent', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='evaluations_received', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('channel', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='channels_app.channel', verbose_name='channel')),
                        ('evaluator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations_given', to=settings.AUTH_USER_MODEL, verbose_name='evaluator')),
                        ('standard', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='standards.standard', verbose_name='standard')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='standards.standardversion', verbose_name='version')),
                    ],
                    options={
                        'verbose_name': 'evaluation',
                        'verbose_name_plural': 'evaluations',
                        'db_table': 'standards_evaluation',
                        'ordering': ['-occurred_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('result', models.CharField(choices=[('met', 'Met'), ('not_met', 'Not met'), ('na', 'N/A')], max_length=10, verbose_name='result')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='standards.criterion', verbose_name='criterion')),
                        ('evaluation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='quality.evaluation', verbose_name='evaluation')),
                    ],
                    options={
                        'verbose_name': 'evaluation answer',
                        'verbose_name_plural': 'evaluation answers',
                        'db_table': 'standards_evaluationitem',
                        'ordering': ['criterion__order', 'criterion_id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='evaluation',
                    index=models.Index(fields=['-occurred_at', '-id'], name='standards_eval_occurred_idx'),
                ),
                migrations.AddIndex(
                    model_name='evaluation',
                    index=models.Index(fields=['agent', '-occurred_at'], name='standards_eval_agent_idx'),
                ),
                migrations.AddIndex(
                    model_name='evaluation',
                    index=models.Index(fields=['standard', '-occurred_at'], name='standards_eval_standard_idx'),
                ),
                migrations.AddIndex(
                    model_name='evaluation',
                    index=models.Index(condition=models.Q(('channel__isnull', False)), fields=['channel', '-occurred_at'], name='standards_eval_channel_idx'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.UniqueConstraint(fields=('evaluator', 'agent', 'version', 'interaction_reference'), name='standards_evaluation_once_per_interaction', violation_error_message='You have already evaluated this interaction of this agent against this version.'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('score__gte', Decimal('0')), ('score__lte', Decimal('100.0'))), name='standards_evaluation_score_range', violation_error_message='The score must be between 0 and 100.'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('critical_missed', False), ('score', Decimal('0')), _connector='OR'), name='standards_evaluation_critical_scores_zero'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('interaction_reference', ''), _negated=True), name='standards_evaluation_reference_given'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationitem',
                    constraint=models.UniqueConstraint(fields=('evaluation', 'criterion'), name='standards_evaluation_item_once', violation_error_message='Each criterion is answered once per evaluation.'),
                ),
                migrations.AddConstraint(
                    model_name='evaluationitem',
                    constraint=models.CheckConstraint(condition=models.Q(('result__in', ('met', 'not_met', 'na'))), name='standards_evaluation_item_result_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, content_types_back),
    ]
