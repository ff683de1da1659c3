"""Database-level guard for a check's questions and answers: once their version is published
or archived, raw SQL can no more change them than the models can (the triggers criteria and
situations have had since standards' 0002, built by the kernel's ``core.frozen``).

Caution for later migrations: when SQLite rebuilds one of these tables (most ALTERs), its
triggers are dropped; ``training/tests/test_frozen_checks.py`` then fails. Re-create them
with the same operation.
"""

from django.db import migrations

from core.frozen import FrozenChildTrigger, frozen_child_trigger

FROZEN = "('published', 'archived')"
MESSAGE = "training: the check of a published or archived version cannot change"

QUESTIONS = FrozenChildTrigger(
    table="training_question",
    column="version_id",
    parent_frozen=(
        "SELECT 1 FROM standards_standardversion WHERE id = {ref} AND status IN " + FROZEN
    ),
    message=MESSAGE,
)
CHOICES = FrozenChildTrigger(
    table="training_choice",
    column="question_id",
    parent_frozen=(
        "SELECT 1 FROM training_question q JOIN standards_standardversion v"
        " ON v.id = q.version_id WHERE q.id = {ref} AND v.status IN " + FROZEN
    ),
    message=MESSAGE,
)


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0002_frozen_version_triggers"),
        ("training", "0003_obligation_withdrawn_state"),
    ]

    operations = [frozen_child_trigger(QUESTIONS, CHOICES)]
