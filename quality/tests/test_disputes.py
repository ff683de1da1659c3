"""Answering evaluations: the staff member accepts or disputes, a manager resolves with a new
revision; every row stays as written, ``current()`` is one row per interaction, both sides are
told in their own language, and the pages let only the right people act."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg
from django.test import Client
from django.urls import reverse

from conftest import make_user
from core.models import OutboxMessage, Profile
from core.outbox import render
from core.roles import MANAGER, STAFF
from quality import services
from quality.models import Evaluation, EvaluationResponse, ImmutableEvaluationError
from quality.services.disputes import DISPUTED, RESOLVED
from quality.tests.factories import make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(evaluable_version, manager, staff_user):
    """Criterion 2 (weight 2) not met: 66.7 %."""
    return make_evaluation(
        version=evaluable_version, agent=staff_user, evaluator=manager, results="MNM"
    )


def _disputed(evaluation, staff_user):
    services.evaluation_dispute(evaluation=evaluation, user=staff_user, comment="I did greet.")
    return evaluation


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- services ------------------------------------------------------------------------------------


def test_accepting_records_an_answer_and_tells_nobody(evaluation, staff_user):
    response = services.evaluation_accept(evaluation=evaluation, user=staff_user)
    assert response.kind == "accepted" and response.author == staff_user
    current = Evaluation.objects.current().with_related().get()
    assert current.pk == evaluation.pk and current.state == "accepted"
    assert not OutboxMessage.objects.exists()


def test_a_dispute_needs_a_comment(evaluation, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_dispute(evaluation=evaluation, user=staff_user, comment="  ")
    assert "comment" in exc.value.message_dict
    assert not EvaluationResponse.objects.exists()


def test_only_the_evaluated_agent_answers(evaluation, manager, second_staff_user):
    for user in (manager, second_staff_user):
        with pytest.raises(PermissionDenied):
            services.evaluation_dispute(evaluation=evaluation, user=user, comment="No.")
    assert not EvaluationResponse.objects.exists()


def test_an_evaluation_is_answered_once(evaluation, staff_user):
    services.evaluation_accept(evaluation=evaluation, user=staff_user)
    with pytest.raises(ValidationError):
        services.evaluation_dispute(evaluation=evaluation, user=staff_user, comment="Changed mind")
    assert EvaluationResponse.objects.count() == 1


def test_a_dispute_tells_the_evaluator_in_their_language(evaluation, staff_user, manager):
    Profile.objects.create(user=manager, language="pl")
    _disputed(evaluation, staff_user)
    message = OutboxMessage.objects.get()
    assert (message.kind, message.recipient, message.language) == (DISPUTED, manager, "pl")
    assert message.context["comment"] == "I did greet."
    email = render(message)
    assert "I did greet." in email.body
    assert evaluation.get_absolute_url() in email.body
    assert "(wynik 66,7\xa0%)" in email.body or "66,7 %" in email.body  # Polish decimal comma
    assert "66.7" not in email.body


def test_resolving_upheld_adds_a_revision_and_keeps_the_original(evaluation, staff_user, manager):
    _disputed(evaluation, staff_user)
    revision = services.evaluation_resolve(evaluation=evaluation, user=manager, upheld=True)
    assert revision.pk != evaluation.pk and revision.supersedes == evaluation
    assert (revision.resolution, revision.score) == ("upheld", Decimal("66.7"))
    original = Evaluation.objects.get(pk=evaluation.pk)
    assert original.score == Decimal("66.7") and original.resolution == ""
    assert revision.items.count() == original.items.count() == 3
    assert list(Evaluation.objects.current()) == [revision]
    assert Evaluation.objects.current().with_related().get().state == "resolved"


def test_a_changed_score_is_the_effective_one_in_sql(evaluation, staff_user, manager):
    _disputed(evaluation, staff_user)
    services.evaluation_resolve(
        evaluation=evaluation, user=manager, upheld=False, score="90", reason="Heard it again."
    )
    current = Evaluation.objects.current()
    assert current.count() == 1
    assert current.aggregate(avg=Avg("score"))["avg"] == pytest.approx(90)
    assert Evaluation.objects.count() == 2  # history kept


def test_a_changed_score_lifts_a_critical_failure(evaluable_version, staff_user, manager):
    failed = make_evaluation(
        version=evaluable_version, agent=staff_user, evaluator=manager, results="NMM"
    )
    assert failed.critical_missed
    _disputed(failed, staff_user)
    revision = services.evaluation_resolve(
        evaluation=failed, user=manager, upheld=False, score="50", reason="It was said."
    )
    assert (revision.score, revision.critical_missed) == (Decimal("50.0"), False)


@pytest.mark.parametrize(
    ("score", "reason", "field"),
    [
        ("", "Why", "score"),
        ("abc", "Why", "score"),
        ("NaN", "Why", "score"),
        ("101", "Why", "score"),
        ("-1", "Why", "score"),
        ("50.55", "Why", "score"),
        ("66.7", "Why", "score"),  # the same score: that is upholding
        ("50", "", "reason"),
        ("50", "x" * 2001, "reason"),
    ],
)
def test_bad_resolutions_are_refused_with_field_errors(
    evaluation, staff_user, manager, score, reason, field
):
    _disputed(evaluation, staff_user)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_resolve(
            evaluation=evaluation, user=manager, upheld=False, score=score, reason=reason
        )
    assert field in exc.value.message_dict
    assert Evaluation.objects.count() == 1


def test_only_managers_resolve_and_only_disputes(evaluation, staff_user, manager):
    with pytest.raises(ValidationError):
        services.evaluation_resolve(evaluation=evaluation, user=manager, upheld=True)
    _disputed(evaluation, staff_user)
    with pytest.raises(PermissionDenied):
        services.evaluation_resolve(evaluation=evaluation, user=staff_user, upheld=True)
    services.evaluation_resolve(evaluation=evaluation, user=manager, upheld=True)
    with pytest.raises(ValidationError):
        services.evaluation_resolve(evaluation=evaluation, user=manager, upheld=True)
    assert Evaluation.objects.count() == 2


def test_the_resolution_tells_the_agent_in_their_language(evaluation, staff_user, manager):
    Profile.objects.create(user=staff_user, language="ru")
    _disputed(evaluation, staff_user)
    revision = services.evaluation_resolve(
        evaluation=evaluation, user=manager, upheld=False, score="80", reason="Fair point."
    )
    message = OutboxMessage.objects.get(kind=RESOLVED)
    assert (message.recipient, message.language) == (staff_user, "ru")
    assert (message.context["old_score"], message.context["score"]) == ("66.7", "80.0")
    body = render(message).body
    assert "Fair point." in body and revision.get_absolute_url() in body
    # The scores are written the Russian way, as on the pages ("66.7" was left as stored).
    assert "66,7" in body and "80,0" in body and "66.7" not in body


def test_rows_stay_as_written(evaluation, staff_user):
    response = services.evaluation_accept(evaluation=evaluation, user=staff_user)
    with pytest.raises(ImmutableEvaluationError):
        response.save()
    with pytest.raises(ImmutableEvaluationError):
        EvaluationResponse.objects.update(kind="disputed")


def test_deleting_removes_the_whole_history(evaluation, staff_user, manager):
    _disputed(evaluation, staff_user)
    revision = services.evaluation_resolve(evaluation=evaluation, user=manager, upheld=True)
    services.evaluation_delete(evaluation=revision, user=manager)
    assert not Evaluation.objects.exists() and not EvaluationResponse.objects.exists()


def test_states_filter_in_sql(evaluable_version, manager, staff_user):
    rows = [
        make_evaluation(version=evaluable_version, agent=staff_user, evaluator=manager)
        for _ in range(4)
    ]
    services.evaluation_accept(evaluation=rows[1], user=staff_user)
    _disputed(rows[2], staff_user)
    _disputed(rows[3], staff_user)
    services.evaluation_resolve(evaluation=rows[3], user=manager, upheld=True)
    counts = {
        state: Evaluation.objects.in_state(state).count() for state in Evaluation.State.values
    }
    assert counts == {"open": 1, "accepted": 1, "disputed": 1, "resolved": 1}


# -- pages ---------------------------------------------------------------------------------------


def test_the_agent_disputes_on_the_page_and_the_manager_resolves(evaluation, staff_user, manager):
    url = evaluation.get_absolute_url()
    page = _client(staff_user).get(url).content.decode()
    assert 'id="answer-form"' in page and 'id="resolve-form"' not in page
    answer = reverse("quality:evaluation-answer", args=[evaluation.pk])
    refused = _client(staff_user).post(answer, {"action": "dispute", "comment": ""})
    assert refused.status_code == 200 and "text-danger" in refused.content.decode()
    assert not EvaluationResponse.objects.exists()
    done = _client(staff_user).post(answer, {"action": "dispute", "comment": "I did greet."})
    assert done.status_code == 302
    assert EvaluationResponse.objects.get().kind == "disputed"

    page = _client(manager).get(url).content.decode()
    assert 'id="resolve-form"' in page and "I did greet." in page
    resolve = reverse("quality:evaluation-resolve", args=[evaluation.pk])
    bad = _client(manager).post(resolve, {"outcome": "changed", "score": "", "reason": ""})
    assert bad.status_code == 200 and Evaluation.objects.count() == 1
    good = _client(manager).post(resolve, {"outcome": "changed", "score": "85", "reason": "OK"})
    revision = Evaluation.objects.current().get()
    assert good.status_code == 302 and good["Location"] == revision.get_absolute_url()
    # The old address leads on to the current revision, whose page shows every step.
    assert _client(staff_user).get(url)["Location"] == revision.get_absolute_url()
    page = _client(staff_user).get(revision.get_absolute_url()).content.decode()
    for step in ('data-step="evaluated"', 'data-step="disputed"', 'data-step="changed"'):
        assert step in page
    assert 'id="answer-form"' not in page


def test_a_manager_cannot_answer_and_staff_cannot_resolve(evaluation, staff_user, manager):
    answer = reverse("quality:evaluation-answer", args=[evaluation.pk])
    assert _client(manager).post(answer, {"action": "accept"}).status_code == 403
    _disputed(evaluation, staff_user)
    resolve = reverse("quality:evaluation-resolve", args=[evaluation.pk])
    response = _client(staff_user).post(resolve, {"outcome": "upheld"})
    assert response.status_code == 403
    other = make_user("agent9", STAFF)
    assert _client(other).post(answer, {"action": "accept"}).status_code == 404
    assert Evaluation.objects.count() == 1


def test_an_unknown_action_is_a_form_error(evaluation, staff_user):
    answer = reverse("quality:evaluation-answer", args=[evaluation.pk])
    response = _client(staff_user).post(answer, {"action": "shrug"})
    assert response.status_code == 200 and not EvaluationResponse.objects.exists()


def test_the_list_shows_states_with_bounded_queries(
    evaluable_version, manager, staff_user, django_assert_max_num_queries
):
    second = make_user("manager2", MANAGER)
    for n in range(6):
        row = make_evaluation(
            version=evaluable_version,
            agent=staff_user,
            evaluator=second if n % 2 else manager,
        )
        if n % 3 == 1:
            _disputed(row, staff_user)
            services.evaluation_resolve(evaluation=row, user=manager, upheld=True)
        elif n % 3 == 2:
            services.evaluation_accept(evaluation=row, user=staff_user)
    for user in (manager, staff_user):
        client = _client(user)
        client.get(reverse("quality:evaluation-list"))  # warm the session and caches
        with django_assert_max_num_queries(14):
            page = client.get(reverse("quality:evaluation-list")).content.decode()
        assert page.count('data-state="resolved"') == 2
        assert page.count('data-state="accepted"') == 2
    disputed = _client(manager).get(reverse("quality:evaluation-list") + "?state=resolved")
    assert disputed.content.decode().count("data-state=") == 2


def test_my_service_shows_each_outcome(evaluable_version, manager, staff_user):
    rows = [
        make_evaluation(version=evaluable_version, agent=staff_user, evaluator=manager)
        for _ in range(4)
    ]
    services.evaluation_accept(evaluation=rows[0], user=staff_user)
    _disputed(rows[1], staff_user)
    _disputed(rows[2], staff_user)
    services.evaluation_resolve(
        evaluation=rows[2], user=manager, upheld=False, score="75", reason="Fair."
    )
    page = _client(staff_user).get(reverse("my-service")).content.decode()
    for state in ("accepted", "disputed", "resolved", "open"):
        assert f'data-state="{state}"' in page
    assert "(was 100" in page and "75" in page
    assert 'id="evaluations-awaiting"' in page
