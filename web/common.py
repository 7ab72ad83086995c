"""Helpers shared by the page views: service errors onto forms, pagination, query strings."""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields, and the rest in the summary."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@contextmanager
def service_errors_onto(form: forms.BaseForm) -> Iterator[None]:
    """Run a form's service call; a ValidationError it raises goes onto the form, and the page renders it again.

    The block is the happy path (call the service, say so, redirect); after it the view falls through to
    rendering the form with the errors, having written nothing.
    """
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc)


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page, or the last one if the number is past the end (never a 404 for a stale link)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
