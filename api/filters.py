"""Strict filtering and ordering for every list (README "API"): a value a list cannot use is a 400 naming it.

django-filter and DRF, left to themselves, ignore what they cannot read: ``?overdue=maybe`` and
``?ordering=password`` answer the whole list (200), and ``?person=1.5`` or ``?person=99999999999999999999`` reach the
database as a fraction or an integer too large for the column (a 500 on SQLite). The two backends here, the
``DEFAULT_FILTER_BACKENDS``, refuse them instead, in the one error shape, before any query runs:

- a true/false filter takes ``true`` or ``false`` (any case) or ``1`` or ``0``;
- a number filter on an integer column takes a whole number, written in digits with an optional minus sign, that the
  column can hold; on an id (a primary key or a relation), a whole number from 1;
- a text filter takes at most as many characters as its column holds (:data:`MAX_TEXT` where it searches rather than
  names a column) and passes the column's own checks: a slug filter takes a slug, a username filter a username;
- ``ordering`` takes a comma-separated list of the endpoint's ``ordering_fields``, each optionally prefixed by ``-``;
- every other filter's own validation already refuses what it cannot read (dates, choices, related ids).

An empty value (``?overdue=``) is the same as leaving the parameter out, as django-filter has it.
"""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import connection, models
from django_filters import filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from django_filters.utils import get_model_field  # type: ignore[import-untyped]
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

TRUE_VALUES = frozenset({"true", "1"})
# The longest value a text filter takes when it searches rather than names one column (``q``).
MAX_TEXT = 200
FALSE_VALUES = frozenset({"false", "0"})


class StrictBooleanField(forms.Field):
    """``true``/``false`` (any case), ``1``/``0``, or nothing; anything else is an error, not "no filter"."""

    widget = forms.TextInput  # the raw value reaches ``to_python``: a select widget would turn "maybe" into None

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


def _integer_range(model: type[models.Model] | None, field_name: str) -> tuple[int | None, int | None] | None:
    """The range of the integer column ``field_name`` filters on (from 1 for an id: a primary key or a relation's),
    or None if not an integer."""
    field = get_model_field(model, field_name) if model is not None else None
    if isinstance(field, models.ForeignObjectRel):
        field = field.remote_field.model._meta.pk
    elif isinstance(field, models.ForeignKey):
        field = field.target_field
    if not isinstance(field, models.IntegerField | models.AutoField):
        return None
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (1, high) if field.primary_key else (low, high)


def _text_field(model: type[models.Model] | None, filter_: Any, common: dict[str, Any]) -> forms.CharField:
    """A text filter's form field: as long as its column allows, with the column's own checks (a slug, a username);
    :data:`MAX_TEXT` long where it names no column. A NUL character is refused by every ``forms.CharField``."""
    field = get_model_field(model, filter_.field_name) if model is not None else None
    declared = list(filter_.extra.get("validators", ()))  # a filter's own checks, as ``CharFilter(validators=…)``
    if not isinstance(field, models.CharField):
        return forms.CharField(max_length=filter_.extra.get("max_length", MAX_TEXT), validators=declared, **common)
    checks = [check for check in field.validators if not isinstance(check, MaxLengthValidator)]
    return forms.CharField(max_length=field.max_length, validators=[*checks, *declared], **common)


def tighten(filterset: Any) -> None:
    """Swap the lenient form fields of ``filterset`` for strict ones (before the form is validated)."""
    model = filterset.queryset.model
    form_fields = filterset.form.fields
    for name, filter_ in filterset.filters.items():
        field = form_fields.get(name)
        if field is None:
            continue
        common = {"required": False, "label": field.label, "help_text": field.help_text}
        if isinstance(filter_, filters.BooleanFilter):
            form_fields[name] = StrictBooleanField(**common)
        elif isinstance(filter_, filters.NumberFilter):
            bounds = _integer_range(model, filter_.field_name)
            if bounds is not None:
                form_fields[name] = forms.IntegerField(min_value=bounds[0], max_value=bounds[1], **common)
        elif type(filter_) is filters.CharFilter:
            form_fields[name] = _text_field(model, filter_, common)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend with the strict fields of ``tighten``: a filter value it cannot use is a 400."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            tighten(filterset)
        return filterset


class StrictOrderingFilter(OrderingFilter):
    """DRF's ordering, refusing a field it does not offer (DRF drops it silently) with a 400 naming ``ordering``."""

    def get_ordering(self, request, queryset, view):
        param = request.query_params.get(self.ordering_param)
        if param:
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            terms = [term.strip() for term in param.split(",")]
            invalid = [term for term in terms if (term[1:] if term.startswith("-") else term) not in valid]
            if invalid:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(repr(t) for t in invalid)}: "
                            f"use {', '.join(sorted(valid))}, each optionally with - for descending."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)
