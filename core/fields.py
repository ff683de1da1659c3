"""Form fields, serializer fields and filters that parse outside values with :mod:`core.parse`.

Django's and DRF's own fields accept what the database or the business-time arithmetic cannot
hold (a 20-digit id in a multiple choice, a date in year 1, an instant with a +23:59 offset);
these refuse it with a field error. Use them wherever a form, serializer or filter takes such a
value from outside.
"""

from __future__ import annotations

import datetime as dt

import django_filters
import django_filters.rest_framework
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from rest_framework import serializers

from core import parse

#: A PostgreSQL ``integer`` column's largest value: the default bound of integer fields.
MAX_INT32 = 2**31 - 1


# -- forms ---------------------------------------------------------------------------------------


class _PkParsingMixin:
    """Ids are parsed before the lookup: Django's ``pk__in`` with a 20-digit id overflows."""

    def _parse_key(self, value):
        if self.to_field_name in (None, "pk", "id") and value not in self.empty_values:
            try:
                return parse.parse_id(value)
            except parse.OutsideValueError:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": "…"},
                ) from None
        if isinstance(value, str):
            try:
                return parse.parse_text(value)
            except parse.OutsideValueError as exc:
                raise ValidationError(exc.messages[0], code="invalid_choice") from None
        return value


class ModelChoiceField(_PkParsingMixin, forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, self.queryset.model):
            value = self._parse_key(value)
        return super().to_python(value)


class ModelMultipleChoiceField(_PkParsingMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            value = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        parsed = [self._parse_key(item) for item in value]
        return super()._check_values(parsed)


class IntegerField(forms.IntegerField):
    """Bounded by a 32-bit column unless told otherwise; digits beyond it are a form error."""

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        if max_value is None:
            max_value = MAX_INT32
        if min_value is None:
            min_value = -MAX_INT32 - 1
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)


class DateField(forms.DateField):
    """A date within :data:`core.parse.MIN_DATE` .. ``MAX_DATE``; a page shows the limits in the
    reader's own date format (the API keeps ISO dates)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return parse.check_date(value)
        except parse.OutsideValueError:
            limits = {
                "min": date_format(parse.MIN_DATE, "SHORT_DATE_FORMAT"),
                "max": date_format(parse.MAX_DATE, "SHORT_DATE_FORMAT"),
            }
            raise ValidationError(parse.MSG_DATE_RANGE, code="date_range", params=limits) from None


class DateTimeField(forms.DateTimeField):
    """A local date and time (made aware in the current time zone by Django), within the
    instants the portal can hold; returned in UTC."""

    def to_python(self, value):
        try:
            value = super().to_python(value)
        except OverflowError:  # year 1 in a zone ahead of UTC, when made aware
            raise parse.OutsideValueError(parse.MSG_INSTANT_RANGE) from None
        return None if value is None else parse.check_instant(value)


# -- serializers ---------------------------------------------------------------------------------


class InstantField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset only (a naive timestamp is ambiguous), within the instants
    the portal can hold, returned in UTC."""

    def to_internal_value(self, value):
        if isinstance(value, dt.datetime):
            return parse.check_instant(value)
        if isinstance(value, dt.date):
            self.fail("date")
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601")
        return parse.parse_instant(value)


# -- django-filter -------------------------------------------------------------------------------


class InstantFormField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant with a UTC offset (a ``+`` must be URL-encoded), in UTC."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse.parse_instant(value)


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantFormField


class _FilterModelChoiceField(_PkParsingMixin, django_filters.fields.ModelChoiceField):
    """django-filter's variant (it adds a "null" choice), parsing ids the same way."""

    def to_python(self, value):
        if value in self.empty_values or value == self.null_value:
            return super().to_python(value)
        if not isinstance(value, self.queryset.model):
            value = self._parse_key(value)
        return super().to_python(value)


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _FilterModelChoiceField


class FilterSet(django_filters.rest_framework.FilterSet):
    """django-filter's FilterSet whose generated filters parse like the rest: a foreign key by
    id through :class:`ModelChoiceField`, an instant through :class:`InstantFilter`."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {
            **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS[models.ForeignKey],
            "filter_class": ModelChoiceFilter,
        },
        models.DateTimeField: {"filter_class": InstantFilter},
    }


class FilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """The API's filter backend: ``filterset_fields`` build on :class:`FilterSet` too."""

    filterset_base = FilterSet
