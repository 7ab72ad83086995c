"""A person's corrections: every change to their recorded details and offence records, with its history.

Corrections are never kept apart from the audit log: each change service writes one *change* row with the old and
new value of every field it changed, who changed it and the reason given (the row's justification), in the same
transaction as the change (iom/changes.py; imports write the same rows, naming the file). This reads those rows
back for the person page, labelled for a reader: field names as the forms call them, codes as their labels, flags
by name. Rows whose values were erased with the person keep who and when, and say "erased" for the rest.

It lives in outcomes, not iom, because offence records are outcomes' and the core knows nothing of them.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateField, Field, Model, Q, QuerySet
from django.utils.dateformat import format as date_format

from iom.models import AuditAction, AuditEvent, AuditOutcome, Flag, Person
from outcomes.models import OffenceRecord

ERASED = "erased"
# What can be corrected, by the audit rows' object type.
CORRECTABLE: dict[str, type[Model]] = {"person": Person, "offencerecord": OffenceRecord}


@dataclass(frozen=True)
class FieldCorrection:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Correction:
    at: datetime.datetime
    by: str
    record: str
    fields: list[FieldCorrection]
    reason: str
    erased: bool


def person_correction_events(*, person: Person) -> QuerySet[AuditEvent]:
    """The change rows about ``person``'s details and offence records that changed something, newest first.

    The caller has shown that the reader may see the person; everyone who may see the person sees these."""
    return (
        AuditEvent.objects.filter(
            person_id=person.pk,
            action=AuditAction.CHANGE,
            outcome=AuditOutcome.DONE,
            object_type__in=list(CORRECTABLE),
        )
        .filter(Q(redacted_at__isnull=False) | ~Q(changes={}))
        .order_by("-occurred_at", "-pk")
    )


def person_corrections(*, events: Iterable[AuditEvent]) -> list[Correction]:
    """``events`` (from :func:`person_correction_events`, a page of them) as corrections a reader follows.

    At most two more queries, and only when needed: the names of flags added or removed, and the record ids of
    corrected offence records."""
    events = list(events)
    flag_ids = {
        flag_id for event in events if event.redacted_at is None for flag_id in _flag_ids(event.changes.get("flags"))
    }
    flag_names = dict(Flag.objects.filter(pk__in=flag_ids).values_list("pk", "name")) if flag_ids else {}
    offence_ids = [int(event.object_id) for event in events if event.object_type == "offencerecord" and event.object_id]
    record_ids = (
        dict(OffenceRecord.objects.filter(pk__in=offence_ids).values_list("pk", "record_id")) if offence_ids else {}
    )
    corrections = []
    for event in events:
        model = CORRECTABLE[event.object_type]
        if event.object_type == "offencerecord":
            record = f"Offence record {record_ids.get(int(event.object_id), event.object_id)}"
        else:
            record = "Personal details"
        erased = event.redacted_at is not None
        fields = [
            FieldCorrection(
                label=_field_label(model, name),
                old=ERASED if erased else _shown(model, name, values[0], flag_names),
                new=ERASED if erased else _shown(model, name, values[1], flag_names),
            )
            for name, values in event.changes.items()
        ]
        if erased and not fields:
            fields = [FieldCorrection(label="Recorded details", old=ERASED, new=ERASED)]
        corrections.append(
            Correction(
                at=event.occurred_at,
                by=event.username,
                record=record,
                fields=fields,
                reason=ERASED if erased and not event.justification else _reason(event),
                erased=erased,
            )
        )
    return corrections


def _flag_ids(values: Any) -> set[int]:
    if not isinstance(values, list):
        return set()
    return {flag_id for side in values if isinstance(side, list) for flag_id in side if isinstance(flag_id, int)}


def _reason(event: AuditEvent) -> str:
    if event.justification:
        return event.justification
    if isinstance(event.details, dict) and "import" in event.details:
        run = event.details["import"]
        return f"Imported from a file (import {run})" if run else "Imported from a file"
    return ""


def _model_field(model: type[Model], name: str) -> Field | None:
    """The column ``name`` of ``model``, or None for a field since removed (its stored name is all there is)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) else None


def _field_label(model: type[Model], name: str) -> str:
    field = _model_field(model, name)
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return label if label[:1].isupper() else label[:1].upper() + label[1:]


def _shown(model: type[Model], name: str, value: Any, flag_names: dict[int, str]) -> Any:
    """A stored audit value as the page shows it: a choice's label, a date as 7 Mar 2024, flag names; None when
    empty."""
    if value in (None, "", []):
        return None
    if name == "flags" and isinstance(value, list):
        return ", ".join(flag_names.get(flag_id, str(flag_id)) for flag_id in value)
    field = _model_field(model, name)
    if field is None or not isinstance(value, str):
        return value
    choices = dict(field.flatchoices or [])
    if value in choices:
        return str(choices[value])
    if isinstance(field, DateField):
        try:
            return date_format(datetime.date.fromisoformat(value), "j M Y")
        except ValueError:
            return value
    return value
