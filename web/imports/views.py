"""The import pages for IOM managers: upload a CSV file, watch the run, read what it found.

The upload goes through ``outcomes.services.imports.import_run_start`` (the service behind the API and the
``import_data`` command), which hands the work to a worker; the run's page shows its progress and polls
``GET /api/v1/imports/<id>/`` until it has finished. Reads go through ``outcomes.selectors.imports``.
"""

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iom.models import District, Ethnicity, Gender
from iom.selectors import first_or_404
from outcomes.models import Disposal, ImportKind, ImportRun, ImportState, OffenceCategory, OffenceOutcome
from outcomes.rules import RUN_IMPORTS
from outcomes.selectors.imports import import_run_list_visible_to
from outcomes.services import imports as import_service
from outcomes.services.imports import KINDS, import_run_start, import_upload_problem
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_onto

STATE_TAGS: dict[str, tuple[str, str]] = {
    ImportState.QUEUED: ("Queued", "grey"),
    ImportState.VALIDATING: ("Checking rows", "blue"),
    ImportState.WRITING: ("Saving", "light-blue"),
    ImportState.SUCCEEDED: ("Imported", "green"),
    ImportState.FAILED: ("Not imported", "red"),
}
# A check-only run writes nothing whatever it finds: its tag says what it found.
DRY_RUN_TAGS: dict[str, tuple[str, str]] = {
    ImportState.SUCCEEDED: ("No errors found", "green"),
    ImportState.FAILED: ("Errors found", "red"),
}


def _codes(choices) -> str:
    return ", ".join(f"{value}" for value in choices.values)


# What each column holds (docs/data-formats.md). Required and optional come from the import
# modules' COLUMNS, so this page cannot disagree with what the import accepts.
COLUMN_RULES: dict[str, dict[str, str]] = {
    ImportKind.COHORTS: {
        "slug": "Unique key: lowercase letters, digits and hyphens, for example fixed-2024.",
        "name": "The cohort's name.",
        "description": "Free text.",
    },
    ImportKind.PEOPLE: {
        "pnc_id": "Unique key: YYYY/NNNNNNNL with the right check letter, for example 2013/0012345Q.",
        "crn": "The probation case reference number.",
        "first_name": "First name.",
        "last_name": "Last name.",
        "date_of_birth": "YYYY-MM-DD.",
        "gender": f"One of: {_codes(Gender)}.",
        "ethnicity": f"ONS 2021 high-level group, one of: {_codes(Ethnicity)}.",
        "district": f"Home district, one of: {_codes(District)}.",
    },
    ImportKind.MEMBERSHIPS: {
        "pnc_id": "A person already recorded (import people first).",
        "cohort": "The slug of a cohort already recorded (import cohorts first).",
        "adopted_on": "YYYY-MM-DD. With the PNC ID and cohort, the key: another adoption date is another membership.",
        "exited_on": "YYYY-MM-DD, the member's last day. Needs an exit reason.",
        "exit_reason": "Why the member left the cohort.",
    },
    ImportKind.OFFENCES: {
        "record_id": "Unique key from the source system; a record cannot move to another person.",
        "pnc_id": "A person already recorded (import people first).",
        "offence_date": "YYYY-MM-DD.",
        "offence_category": f"One of: {_codes(OffenceCategory)}.",
        "outcome": f"One of: {_codes(OffenceOutcome)}.",
        "outcome_date": "YYYY-MM-DD, not before the offence date. Required for conviction and caution; "
        "none for none and pending.",
        "disposal": f"Required for a conviction, none otherwise; one of: {_codes(Disposal)}.",
        "release_date": "YYYY-MM-DD, custody only, not before the outcome date.",
    },
}
KIND_NOTES: dict[str, str] = {
    ImportKind.COHORTS: "Imported cohorts belong to no scheme: IOM managers of every scheme see them.",
    ImportKind.PEOPLE: "Imported people without a case are visible to IOM managers of every scheme and in aggregates.",
    ImportKind.MEMBERSHIPS: "A person's memberships of one cohort must not overlap. Recording an exit on a later "
    "import changes the membership (audited); the adoption date never changes.",
    ImportKind.OFFENCES: "Breaches of orders and licences are recorded but are never counted as reoffences.",
}


def formats() -> list[dict[str, Any]]:
    """Each kind of file with its required and optional columns, in the order of docs/data-formats.md."""
    described = []
    for kind, label in ImportKind.choices:
        columns = KINDS[kind].COLUMNS
        rules = COLUMN_RULES.get(kind, {})
        described.append(
            {
                "kind": kind,
                "label": label,
                "note": KIND_NOTES.get(kind, ""),
                "columns": [
                    {"name": name, "required": name in columns.required, "rule": rules.get(name, "")}
                    for name in columns.allowed
                ],
            }
        )
    return described


def state_tag(run: ImportRun) -> tuple[str, str]:
    """The run's state as a tag: (text, colour)."""
    if run.dry_run and run.state in DRY_RUN_TAGS:
        return DRY_RUN_TAGS[run.state]
    return STATE_TAGS.get(run.state, (run.get_state_display(), "grey"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file holds."},
    )
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma-separated, with a header row.",
        error_messages={
            "required": "Choose a CSV file.",
            "empty": "Choose a CSV file that is not empty.",
            "invalid": "Choose a CSV file.",
        },
    )
    dry_run = forms.BooleanField(
        label="Check only (dry run)",
        required=False,
        help_text="Check every row and report the errors, but write nothing.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit as the service applies it now (read at each form, so the page never states a stale one).
        limit = import_service.size_text(import_service.MAX_FILE_BYTES)
        self.fields["file"].help_text = f"UTF-8, comma-separated, with a header row; at most {limit}."

    def clean_file(self):
        """Refuse a file too large, or of a type that is not CSV, by what the upload says of it, before reading it."""
        upload = self.cleaned_data["file"]
        problem = import_upload_problem(size=upload.size, content_type=upload.content_type or "")
        if problem is not None:
            raise forms.ValidationError(problem)
        return upload


@page(RUN_IMPORTS, methods=("GET", "POST"))
def import_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        with service_errors_onto(form):
            run = import_run_start(
                acting_user=user,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                via="page",
                content_type=upload.content_type or "",
            )
            return redirect("import-detail", pk=run.pk)
    page_obj = paginate(request, import_run_list_visible_to(user=user).order_by("-created_at", "-pk"))
    runs = [{"run": run, "tag": state_tag(run)} for run in page_obj]
    context = {
        "form": form,
        "page_obj": page_obj,
        "runs": runs,
        "querystring": querystring_without_page(request),
        "formats": formats(),
    }
    return render(request, "imports/imports.html", context)


@page(RUN_IMPORTS, methods=("GET",))
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    run = first_or_404(import_run_list_visible_to(user=user), pk)
    context = {
        "run": run,
        "tag": state_tag(run),
        "poll_url": reverse("v1:importrun-detail", args=[run.pk]),
        "tags": {
            "all": {state: list(tag) for state, tag in STATE_TAGS.items()},
            "dry": {state: list(tag) for state, tag in DRY_RUN_TAGS.items()},
        },
    }
    return render(request, "imports/import_detail.html", context)
