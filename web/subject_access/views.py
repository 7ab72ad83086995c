"""Subject access pages for IOM managers: ask for a person's bundle, watch it being built, review its flags,
download it, and see the person's earlier bundles.

The request goes through ``outcomes.services.subject_access``, which sends the build to a worker; the bundle's
page polls its progress (``subject-access-progress``, read by web/static/web/subject-access-progress.js) until
the build has finished, then reloads. Reads go through ``outcomes.selectors.subject_access``: the download is
the disclosure and is audited there.
"""

from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iom import access, selectors
from iom.models import SubjectAccessExport, SubjectAccessStatus
from iom.selectors import first_or_404
from outcomes.rules import PRODUCE_SUBJECT_ACCESS
from outcomes.selectors.subject_access import (
    subject_access_download,
    subject_access_export_get,
    subject_access_export_list_visible_to,
    subject_access_running_for,
)
from outcomes.selectors.subject_access_records import ReviewReason
from outcomes.services.subject_access import subject_access_request
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_onto
from web.subject_access.forms import SubjectAccessRequestForm

STATUS_TAGS: dict[str, str] = {
    SubjectAccessStatus.QUEUED: "grey",
    SubjectAccessStatus.BUILDING: "blue",
    SubjectAccessStatus.READY: "green",
    SubjectAccessStatus.FAILED: "red",
}
FINISHED = frozenset({SubjectAccessStatus.READY, SubjectAccessStatus.FAILED})


def status_tag(export: SubjectAccessExport) -> dict[str, str]:
    return {"text": export.get_status_display(), "colour": STATUS_TAGS.get(export.status, "grey")}


def progress_percent(export: SubjectAccessExport) -> int:
    if export.status == SubjectAccessStatus.READY:
        return 100
    return int(100 * export.steps_done / export.steps_total) if export.steps_total else 0


def flag_groups(export: SubjectAccessExport) -> list[dict]:
    """The bundle's flags by reason, in the order the cover explains them, each with its advice."""
    groups = []
    for code, label in ReviewReason.LABELS.items():
        items = [flag for flag in export.flags if flag.get("reason") == code]
        if items:
            groups.append({"label": label, "advice": ReviewReason.ADVICE[code], "items": items})
    return groups


@page(PRODUCE_SUBJECT_ACCESS, methods=("GET", "POST"))
def person_exports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # The person as their scheme sees them (never through an access opened outside one's teams); the page names
    # them, so it is a view.
    person = first_or_404(access.person_list_visible_to(user=request.user), pk)
    selectors.record_view(user=request.user, obj=person, person_id=person.pk)
    form = SubjectAccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            export = subject_access_request(acting_user=request.user, person=person, reason=form.cleaned_data["reason"])
            return redirect("subject-access-export", pk=export.pk)
    page_obj = paginate(request, subject_access_export_list_visible_to(user=request.user).filter(person=person))
    context = {
        "person": person,
        "person_url": reverse("person", args=[person.pk]),
        "form": form,
        "running": subject_access_running_for(person=person),
        "page_obj": page_obj,
        "exports": [{"export": export, "tag": status_tag(export)} for export in page_obj],
        "querystring": querystring_without_page(request),
    }
    return render(request, "subject_access/person_exports.html", context)


@page(PRODUCE_SUBJECT_ACCESS, methods=("GET",))
def export_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    export = subject_access_export_get(user=request.user, pk=pk)
    selectors.record_view(user=request.user, obj=export, person_id=export.person_id)
    context = {
        "export": export,
        "person": export.person,
        "tag": status_tag(export),
        "percent": progress_percent(export),
        "finished": export.status in FINISHED,
        "flag_groups": flag_groups(export),
        "poll_url": reverse("subject-access-progress", args=[export.pk]),
    }
    return render(request, "subject_access/export.html", context)


@page(PRODUCE_SUBJECT_ACCESS, methods=("GET",))
def export_progress(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """How far the build has gone, for the bundle's page to poll: no personal data, so no audit row."""
    export = subject_access_export_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": export.status,
            "status_label": export.get_status_display(),
            "steps_done": export.steps_done,
            "steps_total": export.steps_total,
            "percent": progress_percent(export),
            "finished": export.status in FINISHED,
        }
    )


@page(PRODUCE_SUBJECT_ACCESS, methods=("GET",))
def export_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    export, opened = subject_access_download(user=request.user, pk=pk)
    return FileResponse(
        opened, as_attachment=True, filename=f"subject-access-{export.pk}.zip", content_type="application/zip"
    )
