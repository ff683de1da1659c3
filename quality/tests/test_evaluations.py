"""QA evaluations: the scoring, the service's refusals, immutability, the pages and who may see
them, form errors, "My service", bounded queries and the demo."""

import datetime as dt
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core import parse
from core.roles import MANAGER, STAFF, user_roles
from demo import quality as demo
from demo import standards as standards_demo
from quality import my_service, scoring, services
from quality.models import Evaluation, EvaluationItem, ImmutableEvaluationError
from quality.tests.factories import make_evaluation
from standards.models import StandardVersion
from standards.tests.factories import (
    ChannelFactory,
    StandardFactory,
    answers_for,
    make_evaluable_version,
    make_version,
)
from standards.tests.pages.helpers import messages_of

Status = StandardVersion.Status
A = scoring.Answer


# -- scoring (no database) -----------------------------------------------------------------------


def test_score_is_the_weighted_share_of_met_criteria():
    result = scoring.score([A(3, False, "met"), A(1, False, "not_met")])
    assert result.value == Decimal("75.0")
    assert result.met_weight == 3
    assert result.applicable_weight == 4
    assert not result.critical_missed


def test_all_met_is_100_and_rounding_is_half_up_to_one_decimal():
    assert scoring.score([A(2, True, "met"), A(5, False, "met")]).value == Decimal("100.0")
    assert scoring.score([A(2, False, "met"), A(1, False, "not_met")]).value == Decimal("66.7")
    assert scoring.score([A(1, False, "met"), A(2, False, "not_met")]).value == Decimal("33.3")
    # 1/16 = 6.25 %: half up gives 6.3 (banker's rounding would give 6.2).
    assert scoring.score([A(1, False, "met"), A(15, False, "not_met")]).value == Decimal("6.3")


def test_not_applicable_criteria_count_neither_way():
    result = scoring.score([A(3, False, "met"), A(5, False, "na"), A(1, False, "not_met")])
    assert result.value == Decimal("75.0")
    assert result.applicable_weight == 4


def test_a_critical_criterion_not_met_makes_the_score_zero():
    result = scoring.score([A(1, True, "not_met"), A(99, False, "met")])
    assert result.value == Decimal("0.0")
    assert result.critical_missed


def test_a_critical_criterion_not_applicable_does_not_fail():
    result = scoring.score([A(1, True, "na"), A(2, False, "met"), A(2, False, "not_met")])
    assert result.value == Decimal("50.0")
    assert not result.critical_missed


def test_nothing_applicable_has_no_score():
    assert scoring.score([A(1, False, "na"), A(2, True, "na")]).value is None
    assert scoring.score([]).value is None


def test_unknown_results_are_refused():
    with pytest.raises(ValueError):
        scoring.score([A(1, False, "maybe")])


def test_database_averages_are_rounded_half_up():
    assert scoring.round_average(None) is None
    assert scoring.round_average(Decimal("66.65")) == Decimal("66.7")
    assert scoring.round_average(83.33333) == Decimal("83.3")


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def version(db):
    """Weights 3 (critical), 2 and 1."""
    return make_evaluable_version(standard=StandardFactory(slug="greeting", title="Greeting"))


@pytest.fixture
def other_staff(db):
    return make_user("agent2", STAFF, first_name="Olga", last_name="Other")


def _create(version, *, evaluator, agent, results="MMM", **overrides):
    kwargs = {
        "evaluator": evaluator,
        "agent": agent,
        "version": version,
        "answers": answers_for(version, results),
        "interaction_reference": "T-1",
        "occurred_at": timezone.now() - timedelta(hours=2),
    }
    kwargs.update(overrides)
    return services.evaluation_create(**kwargs)


# -- the service ---------------------------------------------------------------------------------


def test_create_stores_the_answers_and_the_score(version, manager, staff_user):
    channel = ChannelFactory(code="chat")
    evaluation = _create(
        version,
        evaluator=manager,
        agent=staff_user,
        results="MNA",
        channel=channel,
        interaction_reference="  CHAT-42  ",
        comment="  Good start.  ",
    )
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("60.0")  # 3 of 5 (the last criterion does not apply)
    assert not evaluation.critical_missed
    assert evaluation.standard == version.standard
    assert evaluation.channel == channel
    assert evaluation.interaction_reference == "CHAT-42"
    assert evaluation.comment == "Good start."
    results = list(
        evaluation.items.order_by("criterion__order").values_list("criterion__weight", "result")
    )
    assert results == [(3, "met"), (2, "not_met"), (1, "na")]


def test_a_missed_critical_criterion_is_stored_as_zero(version, manager, staff_user):
    evaluation = _create(version, evaluator=manager, agent=staff_user, results="NMM")
    assert evaluation.score == Decimal("0.0")
    assert evaluation.critical_missed


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED])
def test_refuses_a_version_that_is_not_published(status, manager, staff_user):
    version = make_version(StandardFactory(), status=status, criteria=2)
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, results="MM")
    assert "version" in caught.value.message_dict
    assert not Evaluation.objects.exists()


def test_refuses_an_agent_who_is_not_staff(version, manager, second_manager, no_role_user):
    for agent in (second_manager, no_role_user):
        with pytest.raises(ValidationError) as caught:
            _create(version, evaluator=manager, agent=agent)
        assert caught.value.message_dict["agent"] == ["Only staff members can be evaluated."]
    assert not Evaluation.objects.exists()


def test_refuses_evaluating_oneself(version, manager):
    manager.groups.add(Group.objects.get(name=STAFF))
    manager = User.objects.get(pk=manager.pk)  # roles are cached per instance
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=manager)
    assert caught.value.message_dict["agent"] == ["You cannot evaluate your own interactions."]


def test_only_managers_evaluate(version, staff_user, other_staff):
    with pytest.raises(PermissionDenied):
        _create(version, evaluator=staff_user, agent=other_staff)


def test_refuses_criteria_of_another_version(version, manager, staff_user):
    other = make_evaluable_version()
    answers = answers_for(version, "MMM")
    answers[2] = answers_for(other, "MMM")[0]
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, answers=answers)
    problems = caught.value.message_dict["answers"]
    assert "An answer is for a criterion that is not part of this version." in problems
    assert any("Criterion 3 is not answered" in p for p in problems)
    assert not Evaluation.objects.exists()


def test_refuses_missing_repeated_and_invalid_answers(version, manager, staff_user):
    answers = answers_for(version, "MMM")
    bad = [answers[0], answers[0], {**answers[1], "result": "maybe"}]
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, answers=bad)
    problems = caught.value.message_dict["answers"]
    assert "Criterion 1 is answered more than once." in problems
    assert "Criterion 2: choose met, not met or not applicable." in problems
    assert any("Criterion 3 is not answered" in p for p in problems)
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, answers=[])
    assert len(caught.value.message_dict["answers"]) == 3


def test_refuses_when_nothing_applies(version, manager, staff_user):
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, results="AAA")
    assert "nothing to score" in caught.value.message_dict["answers"][0]


def test_refuses_bad_interaction_details_all_at_once(version, manager, staff_user):
    standard_channel = ChannelFactory(code="phone")
    version.standard.channels.set([standard_channel])
    with pytest.raises(ValidationError) as caught:
        _create(
            version,
            evaluator=manager,
            agent=staff_user,
            interaction_reference="   ",
            occurred_at=timezone.now() + timedelta(minutes=5),
            channel=ChannelFactory(code="email"),
            comment="x" * 2001,
        )
    errors = caught.value.message_dict
    assert set(errors) == {"interaction_reference", "occurred_at", "channel", "comment"}
    assert errors["occurred_at"] == ["The interaction cannot be in the future."]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [
        (datetime(2026, 1, 31, 9, 30), parse.MSG_NAIVE),
        # Aware but beyond what the database stores: was accepted, then failed on saving.
        (datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(timedelta(hours=1))), parse.MSG_INSTANT_RANGE),
    ],
)
def test_the_interaction_time_follows_the_one_instant_rule(
    version, manager, staff_user, occurred_at, message
):
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, occurred_at=occurred_at)
    assert caught.value.message_dict["occurred_at"] == [str(message) % parse.RANGE]
    assert not Evaluation.objects.exists()


def test_the_interaction_time_is_stored_in_utc(version, manager, staff_user):
    at = datetime(2026, 1, 31, 9, 30, tzinfo=dt.timezone(timedelta(hours=3)))
    evaluation = _create(version, evaluator=manager, agent=staff_user, occurred_at=at, now=at)
    assert evaluation.occurred_at == at and evaluation.occurred_at.utcoffset() == timedelta(0)


def test_the_same_interaction_is_evaluated_once_per_evaluator(version, manager, staff_user):
    _create(version, evaluator=manager, agent=staff_user, interaction_reference="T-9")
    with pytest.raises(ValidationError) as caught:
        _create(version, evaluator=manager, agent=staff_user, interaction_reference="T-9")
    assert "already evaluated" in caught.value.message_dict["interaction_reference"][0]
    assert Evaluation.objects.count() == 1
    assert EvaluationItem.objects.count() == 3


def test_evaluations_never_change(version, manager, staff_user):
    evaluation = _create(version, evaluator=manager, agent=staff_user)
    evaluation.score = Decimal("10.0")
    with pytest.raises(ImmutableEvaluationError):
        evaluation.save()
    with pytest.raises(ImmutableEvaluationError):
        Evaluation.objects.filter(pk=evaluation.pk).update(score=Decimal("10.0"))
    item = evaluation.items.first()
    item.result = "not_met"
    with pytest.raises(ImmutableEvaluationError):
        item.save()
    with pytest.raises(ImmutableEvaluationError):
        item.delete()
    with pytest.raises(ImmutableEvaluationError):
        EvaluationItem.objects.filter(evaluation=evaluation).delete()
    with pytest.raises(ImmutableEvaluationError):
        EvaluationItem.objects.update(note="edited")
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("100.0")


def test_a_manager_deletes_an_evaluation_with_its_answers(version, manager, staff_user):
    evaluation = _create(version, evaluator=manager, agent=staff_user)
    with pytest.raises(PermissionDenied):
        services.evaluation_delete(evaluation=evaluation, user=staff_user)
    services.evaluation_delete(evaluation=evaluation, user=manager)
    assert not Evaluation.objects.exists()
    assert not EvaluationItem.objects.exists()


def test_the_database_refuses_impossible_scores(version, manager, staff_user):
    fields = {
        "standard": version.standard,
        "version": version,
        "agent": staff_user,
        "evaluator": manager,
        "interaction_reference": "T-1",
        "occurred_at": timezone.now(),
    }
    for score, critical in ((Decimal("100.1"), False), (Decimal("-1"), False), (50, True)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Evaluation.objects.bulk_create(
                [Evaluation(**fields, score=score, critical_missed=critical)]
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.bulk_create(
            [Evaluation(**{**fields, "interaction_reference": ""}, score=Decimal("1"))]
        )


def test_the_database_refuses_a_criterion_answered_twice(version, manager, staff_user):
    evaluation = _create(version, evaluator=manager, agent=staff_user)
    criterion = version.criteria.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationItem.objects.bulk_create(
            [EvaluationItem(evaluation=evaluation, criterion=criterion, result="met")]
        )


# -- pages: who may see what ---------------------------------------------------------------------


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(version, evaluation) -> dict[str, str]:
    return {
        "create": reverse("quality:evaluation-create", args=[version.standard.slug]),
        "list": reverse("quality:evaluation-list"),
        "detail": evaluation.get_absolute_url(),
        "delete": reverse("quality:evaluation-delete", args=[evaluation.pk]),
    }


def test_anonymous_users_are_sent_to_log_in(version, manager, staff_user):
    evaluation = make_evaluation(version=version, agent=staff_user, evaluator=manager)
    for url in _urls(version, evaluation).values():
        response = _client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_open_only_their_own_evaluations(version, manager, staff_user, other_staff):
    mine = make_evaluation(version=version, agent=staff_user, evaluator=manager, reference="M-1")
    theirs = make_evaluation(version=version, agent=other_staff, evaluator=manager, reference="O-1")
    client = _client(staff_user)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    page = client.get(reverse("quality:evaluation-list"))
    assert page.status_code == 200
    assert list(page.context["evaluations"]) == [mine]
    assert "agent" not in page.context["filter_form"].fields
    # Asking for someone else's evaluations through the filter changes nothing.
    page = client.get(reverse("quality:evaluation-list"), {"agent": other_staff.pk})
    assert list(page.context["evaluations"]) == [mine]
    urls = _urls(version, theirs)
    assert client.get(urls["create"]).status_code == 403
    assert client.get(urls["delete"]).status_code == 403
    assert client.post(urls["delete"]).status_code == 403
    assert Evaluation.objects.count() == 2


def test_integration_accounts_have_no_pages(version, manager, staff_user, integration_user):
    evaluation = make_evaluation(version=version, agent=staff_user, evaluator=manager)
    client = _client(integration_user)
    for url in _urls(version, evaluation).values():
        assert client.get(url).status_code == 403


def test_managers_see_every_evaluation(version, manager, staff_user, other_staff):
    make_evaluation(version=version, agent=staff_user, evaluator=manager)
    theirs = make_evaluation(version=version, agent=other_staff, evaluator=manager)
    client = _client(manager)
    assert len(client.get(reverse("quality:evaluation-list")).context["evaluations"]) == 2
    page = client.get(theirs.get_absolute_url())
    assert page.status_code == 200
    assert reverse("quality:evaluation-delete", args=[theirs.pk]) in page.content.decode()


def test_the_evaluate_button_is_for_managers_on_published_standards(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    assert url in _client(manager).get(version.standard.get_absolute_url()).content.decode()
    assert url not in _client(staff_user).get(version.standard.get_absolute_url()).content.decode()
    draft_only = StandardFactory(slug="draft-only")
    make_version(draft_only)
    page = _client(manager).get(draft_only.get_absolute_url()).content.decode()
    assert 'id="evaluate"' not in page
    response = _client(manager).get(reverse("quality:evaluation-create", args=[draft_only.slug]))
    assert response.status_code == 302
    assert response["Location"] == draft_only.get_absolute_url()
    assert "no published version" in messages_of(response)[0]


def test_managers_see_the_evaluations_link_in_the_navigation(manager, staff_user):
    url = reverse("quality:evaluation-list")
    assert f'href="{url}"' in _client(manager).get("/").content.decode()
    assert f'href="{url}"' not in _client(staff_user).get("/").content.decode()


# -- the evaluation form -------------------------------------------------------------------------


def _form_data(version, who, results="MNM", **overrides) -> dict:
    data = {
        "version_number": version.number,
        "agent": who.pk,
        "channel": "",
        "interaction_reference": "CALL-77",
        "occurred_at": timezone.localtime(timezone.now() - timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "comment": "Friendly, but no summary.",
    }
    for criterion, code in zip(version.criteria.order_by("order", "id"), results, strict=True):
        data[f"result_{criterion.pk}"] = {"M": "met", "N": "not_met", "A": "na"}[code]
        data[f"note_{criterion.pk}"] = ""
    data.update(overrides)
    return data


def test_the_form_lists_the_criteria(version, manager, staff_user, other_staff):
    page = _client(manager).get(reverse("quality:evaluation-create", args=[version.standard.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    for criterion in version.criteria.all():
        assert criterion.text in html
        assert f'name="result_{criterion.pk}"' in html
        assert f'name="note_{criterion.pk}"' in html
    assert html.count("badge text-bg-danger") == 1  # one critical criterion
    assert "If a critical criterion is not met, the score is 0." in html
    assert list(page.context["form"].fields["agent"].queryset) == [staff_user, other_staff]
    assert "style=" not in html


def test_a_valid_form_saves_and_shows_the_evaluation(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    criterion = version.criteria.order_by("order").last()
    data = _form_data(version, staff_user, results="MNM", **{f"note_{criterion.pk}": "Clear."})
    response = _client(manager).post(url, data)
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == evaluation.get_absolute_url()
    assert evaluation.score == Decimal("66.7")  # 4 of 6
    assert evaluation.evaluator == manager
    assert evaluation.items.get(criterion=criterion).note == "Clear."
    assert "66.7\u00a0%" in messages_of(response)[0]
    page = _client(manager).get(evaluation.get_absolute_url()).content.decode()
    assert "66.7\u00a0%" in page
    assert "Friendly, but no summary." in page
    assert 'id="critical-missed"' not in page


def test_the_detail_page_says_why_the_score_is_zero(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    _client(manager).post(url, _form_data(version, staff_user, results="NMM"))
    evaluation = Evaluation.objects.get()
    assert evaluation.score == 0
    page = _client(staff_user).get(evaluation.get_absolute_url()).content.decode()
    assert "A critical criterion was not met, so the score is 0." in page
    assert "Uses the company greeting" in page.split('id="critical-missed"')[1]
    assert 'id="delete-evaluation"' not in page  # staff cannot delete


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"agent": ""},
            "agent",
            "Choose the staff member whose interaction you evaluated.",
        ),
        ({"agent": "999999"}, "agent", "Choose one of the staff members in the list."),
        ({"interaction_reference": ""}, "interaction_reference", "Give the ticket number"),
        ({"interaction_reference": "x" * 101}, "interaction_reference", "at most 100"),
        ({"occurred_at": "yesterday"}, "occurred_at", "Enter a date and time"),
        ({"occurred_at": ""}, "occurred_at", "Give the date and time of the interaction."),
        ({"channel": "999999"}, "channel", "Choose one of the channels in the list."),
        # Each of these was a 500: an id beyond bigint, and a local time in year 1.
        ({"agent": "9" * 20}, "agent", "Choose one of the staff members in the list."),
        ({"channel": "9" * 20}, "channel", "Choose one of the channels in the list."),
        ({"occurred_at": "0001-01-01T00:00"}, "occurred_at", "between 1970-01-01 and 9000-12-31"),
        ({"occurred_at": "9999-12-31T23:59"}, "occurred_at", "between 1970-01-01 and 9000-12-31"),
        ({"comment": "x" * 2001}, "comment", "at most 2000"),
    ],
)
def test_bad_input_is_a_form_error(version, manager, staff_user, change, field, message):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    response = _client(manager).post(url, _form_data(version, staff_user, **change))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert 'id="form-errors"' in response.content.decode()
    assert not Evaluation.objects.exists()


def test_an_interaction_in_the_future_is_a_form_error(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _client(manager).post(url, _form_data(version, staff_user, occurred_at=tomorrow))
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_at"] == [
        "The interaction cannot be in the future."
    ]
    assert not Evaluation.objects.exists()


def test_missing_answers_and_long_notes_are_marked_per_criterion(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    first, second, _third = version.criteria.order_by("order")
    data = _form_data(version, staff_user)
    del data[f"result_{first.pk}"]
    data[f"result_{second.pk}"] = "perhaps"
    data[f"note_{second.pk}"] = "n" * 501
    response = _client(manager).post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"result_{first.pk}"] == ["Choose met, not met or not applicable."]
    assert form.errors[f"result_{second.pk}"] == ["Choose met, not met or not applicable."]
    assert f"note_{second.pk}" in form.errors
    html = response.content.decode()
    assert html.count("Choose met, not met or not applicable.") == 2
    # What was valid is kept.
    assert 'value="CALL-77"' in html
    assert not Evaluation.objects.exists()


def test_all_not_applicable_is_a_clear_error(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    response = _client(manager).post(url, _form_data(version, staff_user, results="AAA"))
    assert response.status_code == 200
    assert "nothing to score" in response.context["answer_errors"][0]
    assert "nothing to score" in response.content.decode()


def test_a_non_staff_agent_chosen_by_id_is_refused(version, manager, second_manager):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    response = _client(manager).post(url, _form_data(version, second_manager))
    assert response.status_code == 200
    assert "agent" in response.context["form"].errors
    assert not Evaluation.objects.exists()


def test_a_duplicate_is_reported_on_the_reference(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    client = _client(manager)
    assert client.post(url, _form_data(version, staff_user)).status_code == 302
    response = client.post(url, _form_data(version, staff_user))
    assert response.status_code == 200
    assert "already evaluated" in response.context["form"].errors["interaction_reference"][0]
    assert Evaluation.objects.count() == 1


def test_a_version_published_meanwhile_asks_for_the_new_criteria(version, manager, staff_user):
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    data = _form_data(version, staff_user)
    StandardVersion._base_manager.filter(pk=version.pk).update(
        status=Status.ARCHIVED, archived_at=timezone.now()
    )
    newer = make_evaluable_version(
        [("Greets by name", 1, False), ("Closes politely", 1, False)],
        standard=version.standard,
    )
    response = _client(manager).post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Version {newer.number} of this standard was published" in html
    assert "Greets by name" in html
    assert 'value="CALL-77"' in html  # the interaction's details are kept
    assert not Evaluation.objects.exists()


def test_the_service_refuses_an_archived_version_even_if_the_form_was_fresh(
    version, manager, staff_user, monkeypatch
):
    """Archived between the page's check and the service's lock: a message, never a 500."""
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    real = services.evaluation_create

    def archive_first(**kwargs):
        StandardVersion._base_manager.filter(pk=version.pk).update(
            status=Status.ARCHIVED, archived_at=timezone.now()
        )
        return real(**kwargs)

    monkeypatch.setattr(services, "evaluation_create", archive_first)
    response = _client(manager).post(url, _form_data(version, staff_user))
    assert response.status_code == 200
    assert "no longer published" in response.content.decode()
    assert not Evaluation.objects.exists()


# -- the list ------------------------------------------------------------------------------------


def test_the_list_filters_and_averages_in_the_database(version, manager, staff_user, other_staff):
    chat, phone = ChannelFactory(code="chat"), ChannelFactory(code="phone")
    other_version = make_evaluable_version(standard=StandardFactory(slug="closing"))
    now = timezone.now()
    make_evaluation(
        version=version, agent=staff_user, evaluator=manager, results="MMM", channel=chat
    )
    make_evaluation(
        version=version,
        agent=staff_user,
        evaluator=manager,
        results="MNM",  # 66.7
        channel=phone,
        occurred_at=now - timedelta(days=40),
    )
    make_evaluation(version=other_version, agent=other_staff, evaluator=manager, results="NMM")
    url = reverse("quality:evaluation-list")
    client = _client(manager)

    def shown(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return page.context["summary"], [e.score for e in page.context["evaluations"]]

    assert shown() == ({"count": 3, "average": Decimal("55.6")}, [0, 100, Decimal("66.7")])
    assert shown(agent=staff_user.pk)[0] == {"count": 2, "average": Decimal("83.4")}
    assert shown(standard="closing") == ({"count": 1, "average": Decimal("0.0")}, [0])
    assert shown(channel="phone")[1] == [Decimal("66.7")]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert shown(date_from=since)[0]["count"] == 2
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert shown(date_to=until)[1] == [Decimal("66.7")]
    assert shown(order="lowest")[1] == [0, Decimal("66.7"), 100]
    assert shown(order="highest")[1] == [100, Decimal("66.7"), 0]
    html = client.get(url, {"standard": "closing"}).content.decode()
    assert 'id="evaluation-average">0.0\u00a0%' in html
    # The standard page links here; a standard without evaluations yet lists none, not all.
    StandardFactory(slug="not-evaluated")
    assert shown(standard="not-evaluated") == ({"count": 0, "average": None}, [])
    assert 'id="no-evaluations"' in client.get(url, {"standard": "not-evaluated"}).content.decode()


def test_bad_filters_are_shown_and_ignored(version, manager, staff_user):
    make_evaluation(version=version, agent=staff_user, evaluator=manager)
    url = reverse("quality:evaluation-list")
    client = _client(manager)
    for params in (
        {"agent": "abc"},
        {"standard": "no-such-standard"},
        {"channel": "<script>"},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"order": "random"},
        {"page": "999"},
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 404), params
        if response.status_code == 200:
            assert len(response.context["evaluations"]) == 1, params
    response = client.get(url, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_the_list_is_paginated_and_keeps_the_filters(version, manager, staff_user):
    for n in range(30):
        make_evaluation(
            version=version,
            agent=staff_user,
            evaluator=manager,
            occurred_at=timezone.now() - timedelta(hours=n + 1),
        )
    client = _client(manager)
    url = reverse("quality:evaluation-list")
    first = client.get(url, {"agent": staff_user.pk})
    assert len(first.context["evaluations"]) == 25
    assert first.context["summary"]["count"] == 30
    assert f"agent={staff_user.pk}&amp;page=2" in first.content.decode()
    second = client.get(url, {"agent": staff_user.pk, "page": 2})
    assert len(second.context["evaluations"]) == 5


def test_an_empty_list_says_so(manager, staff_user):
    assert (
        'id="no-evaluations"'
        in _client(manager).get(reverse("quality:evaluation-list")).content.decode()
    )
    assert (
        "None of your interactions has been evaluated yet."
        in _client(staff_user).get(reverse("quality:evaluation-list")).content.decode()
    )


# -- deleting ------------------------------------------------------------------------------------


def test_a_manager_deletes_after_confirming(version, manager, staff_user):
    evaluation = make_evaluation(version=version, agent=staff_user, evaluator=manager)
    url = reverse("quality:evaluation-delete", args=[evaluation.pk])
    client = _client(manager)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'id="confirm-delete"' in confirm.content.decode()
    assert Evaluation.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:evaluation-list")
    assert not Evaluation.objects.exists()
    assert client.post(url).status_code == 404
    assert client.get(evaluation.get_absolute_url()).status_code == 404


# -- My service ----------------------------------------------------------------------------------


def test_my_service_shows_the_agents_average_next_to_the_teams(
    version, manager, staff_user, other_staff
):
    now = timezone.now()
    make_evaluation(version=version, agent=staff_user, evaluator=manager, results="MMM")
    make_evaluation(version=version, agent=staff_user, evaluator=manager, results="MNM")
    make_evaluation(version=version, agent=other_staff, evaluator=manager, results="NMM")
    old = make_evaluation(
        version=version,
        agent=staff_user,
        evaluator=manager,
        results="NMM",
        occurred_at=now - timedelta(days=91),
    )
    page = _client(staff_user).get(reverse("my-service"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="evaluations-my-service"' in html
    section = html.split('id="evaluations-my-service"')[1]
    assert 'id="evaluations-my-count">2<' in section
    assert 'id="evaluations-my-average">83.4\u00a0%<' in section  # (100 + 66.7) / 2, not the old 0
    assert 'id="evaluations-team-count">3<' in section
    assert 'id="evaluations-team-average">55.6\u00a0%<' in section
    for evaluation in Evaluation.objects.filter(agent=staff_user):
        assert evaluation.get_absolute_url() in section  # the old one is listed, not averaged
    assert old.get_absolute_url() in section
    assert Evaluation.objects.filter(agent=other_staff).get().get_absolute_url() not in section


def test_my_service_counts_whole_local_days_like_the_other_sections(version, manager, staff_user):
    """The last 90 days are 90 local days, today included (core.reports.period, as the
    satisfaction and SLA sections count them), not 90 × 24 hours back from now: an interaction
    on the evening of the 91st day is out, one just after its midnight is in."""
    from core.reports.period import Period, local_today
    from quality.evaluation_selectors import agent_summary

    period = Period.last_days(90)
    noon = period.bounds()[1] - timedelta(hours=12)  # today 12:00, local
    first_midnight = period.bounds()[0]
    assert period.start == local_today() - timedelta(days=89)
    make_evaluation(
        version=version,
        agent=staff_user,
        evaluator=manager,
        occurred_at=first_midnight - timedelta(minutes=1),  # within 90 × 24 h of noon
    )
    make_evaluation(
        version=version,
        agent=staff_user,
        evaluator=manager,
        results="NMM",
        occurred_at=first_midnight + timedelta(minutes=1),
    )
    summary = agent_summary(user=staff_user, now=noon)
    assert summary["mine"]["count"] == 1


def test_my_service_without_evaluations(staff_user):
    html = _client(staff_user).get(reverse("my-service")).content.decode()
    assert 'id="evaluations-none"' in html
    assert 'id="evaluations-my-average">–<' in html


def test_my_service_section_is_for_staff_only(manager):
    request = RequestFactory().get("/")
    request.user = manager
    assert my_service.my_service_sections(request) == []


# -- bounded queries -----------------------------------------------------------------------------

# Measured with 3 and with 60 evaluations (or 3 and 30 criteria), session, user and roles
# included: list 9 (manager) and 8 (staff), detail 5, the form 9, the My service section 2 (its
# own queries only). One query of headroom.
BOUNDS = {"list": 10, "detail": 6, "form": 10, "my_service_section": 3}


def _many(version, manager, agents, n):
    channel = ChannelFactory(code="chat")
    for i in range(n):
        make_evaluation(
            version=version,
            agent=agents[i % len(agents)],
            evaluator=manager,
            channel=channel,
            results="MNM" if i % 2 else "MMM",
            occurred_at=timezone.now() - timedelta(hours=i + 1),
        )


@pytest.mark.parametrize("who", ["manager", "staff_user"])
def test_list_queries_are_bounded(
    request, who, version, manager, staff_user, other_staff, django_assert_max_num_queries
):
    client = _client(request.getfixturevalue(who))
    url = reverse("quality:evaluation-list")
    _many(version, manager, [staff_user, other_staff], 3)
    with django_assert_max_num_queries(BOUNDS["list"]):
        assert client.get(url).status_code == 200
    _many(version, manager, [staff_user, other_staff], 57)
    with django_assert_max_num_queries(BOUNDS["list"]):
        page = client.get(url, {"channel": "chat", "order": "lowest"})
    assert len(page.context["evaluations"]) == 25


@pytest.mark.parametrize("criteria", [3, 30])
def test_detail_queries_are_bounded(criteria, manager, staff_user, django_assert_max_num_queries):
    version = make_evaluable_version(
        [(f"Criterion {n}", 1 + n % 3, n == 0) for n in range(criteria)]
    )
    evaluation = make_evaluation(version=version, agent=staff_user, evaluator=manager)
    for user in (manager, staff_user):
        client = _client(user)
        with django_assert_max_num_queries(BOUNDS["detail"]):
            assert client.get(evaluation.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("criteria", [3, 30])
def test_form_queries_are_bounded(criteria, manager, staff_user, django_assert_max_num_queries):
    version = make_evaluable_version([(f"Criterion {n}", 1, False) for n in range(criteria)])
    version.standard.channels.set([ChannelFactory(), ChannelFactory()])
    url = reverse("quality:evaluation-create", args=[version.standard.slug])
    client = _client(manager)
    with django_assert_max_num_queries(BOUNDS["form"]):
        assert client.get(url).status_code == 200


def test_my_service_queries_are_bounded(
    version, manager, staff_user, other_staff, django_assert_max_num_queries
):
    """The section is measured on its own, so other apps' sections do not move its bound; the
    whole page runs as many queries with 44 evaluations as with 4."""
    request = RequestFactory().get("/")

    def render_section() -> str:
        request.user = User.objects.get(pk=staff_user.pk)
        user_roles(request.user)  # the page has the roles already
        with django_assert_max_num_queries(BOUNDS["my_service_section"]):
            (section,) = my_service.my_service_sections(request)
            return render_to_string(section["template"], {"section": section["context"]})

    client = _client(staff_user)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("my-service")).status_code == 200
        return len(queries)

    _many(version, manager, [staff_user, other_staff], 4)
    render_section()
    page_queries()  # the first request also saves the session
    few = page_queries()
    _many(version, manager, [staff_user, other_staff], 40)
    html = render_section()
    assert html.count('class="list-group-item') == 5
    assert page_queries() == few


# -- admin ---------------------------------------------------------------------------------------


def test_the_admin_shows_evaluations_read_only(version, manager, staff_user):
    evaluation = make_evaluation(version=version, agent=staff_user, evaluator=manager)
    root = User.objects.create_superuser("root", "root@example.com", "correct-horse-battery")
    client = _client(root)
    assert client.get(reverse("admin:quality_evaluation_changelist")).status_code == 200
    page = client.get(reverse("admin:quality_evaluation_change", args=[evaluation.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:quality_evaluation_add")).status_code == 403
    delete = reverse("admin:quality_evaluation_delete", args=[evaluation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Evaluation.objects.exists()


# -- demo ----------------------------------------------------------------------------------------


def test_the_demo_seeds_evaluations_once(manager, db):
    from channels_app.models import Channel

    for code, kind in (("phone", "phone"), ("chat", "chat"), ("email", "email")):
        ChannelFactory(code=code, kind=getattr(Channel.Kind, kind.upper()))
    users = {
        "manager": manager,
        "agent": make_user("agent", STAFF),
        "agent2": make_user("agent2", STAFF),
        "newhire": make_user("newhire", STAFF),
    }
    standards_demo.seed(users=users)
    demo.evaluations.seed(users=users)  # the scorecard's demo adds more: not counted here
    evaluations = Evaluation.objects.all()
    assert evaluations.count() == len(demo.evaluations.EVALUATIONS) == 8
    assert set(evaluations.values_list("agent__username", flat=True)) == {
        "agent",
        "agent2",
        "newhire",
    }
    assert Evaluation.objects.in_state("disputed").get().interaction_reference == "CHAT-88213"
    assert Evaluation.objects.in_state("accepted").get().interaction_reference == "CALL-20417"
    failed = evaluations.get(interaction_reference="CALL-20611")
    assert failed.critical_missed and failed.score == 0
    assert evaluations.filter(channel__isnull=False).count() == 8
    assert evaluations.filter(occurred_at__lt=timezone.now() - timedelta(days=90)).exists()
    for evaluation in evaluations:
        assert evaluation.items.count() == evaluation.version.criteria.count()
        assert evaluation.evaluator == manager
    demo.evaluations.seed(users=users)
    assert Evaluation.objects.count() == 8


def test_the_demo_skips_evaluations_without_staff_users(manager, db):
    standards_demo.seed(users={"manager": manager})
    demo.seed(users={"manager": manager})
    assert not Evaluation.objects.exists()


def test_roles_let_managers_manage_evaluations(db):
    codenames = set(Group.objects.get(name=MANAGER).permissions.values_list("codename", flat=True))
    assert {"add_evaluation", "delete_evaluation", "view_evaluation"} <= codenames
