"""Helpers shared by the page views: service errors onto forms or messages, pagination, query strings."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from iom.errors import ConflictError
from web.forms import with_version

PAGE_SIZE = 25


def add_service_errors(form: forms.BaseForm, exc: ValidationError, *, renamed: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors on the form's fields, and the rest in the summary.

    ``renamed`` maps a service's argument name onto the form field the user typed it in (the service's
    ``grantee`` is the form's ``username``), so the error stands beside the right box.
    """
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)


@dataclass
class Attempt:
    """What a refused save leaves for the page: the record as the other person saved it, after a conflict."""

    conflict: Any = None


@contextmanager
def service_errors_onto(
    form: forms.BaseForm,
    *,
    reload: Callable[[], Any] | None = None,
    conflict_field: str | None = None,
    renamed: Mapping[str, str] | None = None,
) -> Iterator[Attempt]:
    """Run a form's service call; an error it raises goes onto the form, and the page renders it again.

    The block is the happy path (call the service, say so, redirect); after it the view falls through to
    rendering the form with the errors, having written nothing. On a ConflictError ``reload()`` (read before
    the error empties the field it names) becomes ``attempt.conflict`` so the page can show what the other
    person saved, and the form takes the current version, so saving again replaces it knowingly.
    """
    attempt = Attempt()
    try:
        yield attempt
    except ConflictError as exc:
        if reload is not None:
            attempt.conflict = reload()
        form.add_error(conflict_field, exc.message)
        if "version" in form.fields:
            with_version(form, exc.current_version)
    except ValidationError as exc:
        add_service_errors(form, exc, renamed=renamed)


@contextmanager
def service_errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """Run a one-button service call (no form to re-render): its refusal becomes an error message.

    The block calls the service and says it worked; the view redirects back either way.
    """
    try:
        yield
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(message for errors in exc.message_dict.values() for message in errors))


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page, or the last one if the number is past the end (never a 404 for a stale link)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
