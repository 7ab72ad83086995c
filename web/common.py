"""Helpers shared by the page views: service errors onto forms, pagination, query strings."""

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


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page, or the last one if the number is past the end (never a 404 for a stale link)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
