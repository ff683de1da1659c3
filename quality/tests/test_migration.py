"""Moving evaluations from standards to quality keeps every row: the tables are taken over."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("standards", "0003_evaluations"), ("quality", None)]
AFTER = [("quality", "0001_evaluations_from_standards")]


@pytest.mark.django_db(transaction=True)
def test_evaluations_made_before_the_move_survive_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([BEFORE[0]]).apps
    User = old.get_model("auth", "User")
    Standard = old.get_model("standards", "Standard")
    Version = old.get_model("standards", "StandardVersion")
    Criterion = old.get_model("standards", "Criterion")
    OldEvaluation = old.get_model("standards", "Evaluation")
    OldItem = old.get_model("standards", "EvaluationItem")
    agent = User.objects.create(username="agent-before-move")
    manager = User.objects.create(username="manager-before-move")
    standard = Standard.objects.create(title="Before", slug="before-the-move", owner=manager)
    version = Version.objects.create(standard=standard, number=1, author=manager)
    criterion = Criterion.objects.create(version=version, text="Greets", order=1, weight=1)
    evaluation = OldEvaluation.objects.create(
        standard=standard,
        version=version,
        agent=agent,
        evaluator=manager,
        interaction_reference="OLD-1",
        occurred_at=timezone.now(),
        score=Decimal("100.0"),
    )
    OldItem.objects.create(evaluation=evaluation, criterion=criterion, result="met")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Evaluation = new.get_model("quality", "Evaluation")
    moved = Evaluation.objects.get(pk=evaluation.pk)
    assert (moved.interaction_reference, moved.score) == ("OLD-1", Decimal("100.0"))
    assert moved.items.get().result == "met"

    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
