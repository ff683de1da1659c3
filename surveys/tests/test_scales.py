"""The scales and thresholds are declared once (``surveys.scales``): the database, the answer
service, the API serializer, the survey page, the filters and the report all follow them, and
the database filters agree with the Python rule on every pair of answers."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from channels_app.tests.factories import ChannelFactory
from surveys import api, formulas, scales, selectors, services
from surveys.models import Response
from surveys.reports import RESPONSE_AGGREGATES

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_the_scales_are_design_md_s():
    assert (scales.CSAT.scores, scales.NPS.scores, scales.CES.scores) == (
        range(1, 6),
        range(0, 11),
        range(1, 8),
    )
    assert [s for s in scales.CSAT.scores if s >= scales.CSAT_SATISFIED_MIN] == [4, 5]
    assert [s for s in scales.NPS.scores if s >= scales.NPS_PROMOTER_MIN] == [9, 10]
    assert [s for s in scales.NPS.scores if s <= scales.NPS_DETRACTOR_MAX] == list(range(7))


@pytest.mark.parametrize("scale", list(scales.SCALES.values()), ids=lambda s: s.name)
def test_database_service_and_serializer_refuse_one_past_either_end(scale):
    channel = ChannelFactory(code="chat", calendar=None)
    for score in (scale.low, scale.high):
        Response.objects.create(channel=channel, created_at=WHEN, **{scale.name: score})
    for score in (scale.low - 1, scale.high + 1):
        if score < 0:
            continue  # a PositiveSmallIntegerField: below zero is refused anyway
        with pytest.raises(IntegrityError), transaction.atomic():
            Response.objects.create(channel=channel, created_at=WHEN, **{scale.name: score})
    field = api.PublicAnswerSerializer().fields[scale.name]
    assert (field.min_value, field.max_value) == (scale.low, scale.high)
    with pytest.raises(ValidationError) as refused:
        services._clean_answer(
            survey=None if scale is scales.CSAT else _asking_everything(),
            comment="",
            **dict.fromkeys(scales.SCALES) | {scale.name: scale.high + 1},
        )
    assert f"from {scale.low} to {scale.high}" in str(refused.value.message_dict[scale.name])


def _asking_everything():
    from surveys.models import Survey

    return Survey(ask_csat=True, ask_nps=True, ask_ces=True, ask_comment=True)


def test_filters_and_report_counts_agree_with_the_python_rule_on_every_pair():
    channel = ChannelFactory(code="chat", calendar=None)
    pairs = list(itertools.product([None, *scales.CSAT.scores], [None, *scales.NPS.scores]))
    Response.objects.bulk_create(
        Response(channel=channel, created_at=WHEN, csat=c, nps=n, comment="x") for c, n in pairs
    )
    low = {(r.csat, r.nps) for r in selectors.response_list(params={"score": "low"})}
    assert low == {(c, n) for c, n in pairs if formulas.is_low(c, n)}
    high = {(r.csat, r.nps) for r in selectors.response_list(params={"score": "high"})}
    assert high == {(c, n) for c, n in pairs if (c or 0) >= 4 or (n is not None and n >= 9)}
    agg = Response.objects.aggregate(**RESPONSE_AGGREGATES)
    assert agg["csat_good"] == sum(1 for c, _n in pairs if c in (4, 5))
    assert agg["promoters"] == sum(1 for _c, n in pairs if n in (9, 10))
    assert agg["detractors"] == sum(1 for _c, n in pairs if n is not None and n <= 6)


def test_the_public_page_offers_each_scale(survey):
    questions = {q["name"]: list(q["scale"]) for q in _questions(survey)}
    assert questions == {name: list(s.scores) for name, s in scales.SCALES.items()}


def _questions(survey):
    from surveys.views.public import _questions as questions

    return questions(survey, "en")
