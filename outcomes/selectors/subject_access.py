"""Reads of subject access bundles: who sees which, and the download, which is a disclosure (s.62).

A bundle holds everything about one person, so it is for the IOM managers who may see that person: the manager
who asked for it and any other manager of a scheme that sees the person. Anyone else gets the rule's 403 or, for
a bundle about a person they cannot see, a 404, as for the person themselves.
"""

from django.core.files import File
from django.db.models import QuerySet
from django.http import Http404

from iom import access
from iom.audit import audit_record
from iom.models import AuditAction, Person, SubjectAccessExport, SubjectAccessStatus, User
from iom.selectors import first_or_404
from outcomes.rules import PRODUCE_SUBJECT_ACCESS

RUNNING = (SubjectAccessStatus.QUEUED, SubjectAccessStatus.BUILDING)


def subject_access_export_list_visible_to(*, user: User) -> QuerySet[SubjectAccessExport]:
    """Bundles about the people ``user`` may see, for the managers who produce them; none for anyone else."""
    if not PRODUCE_SUBJECT_ACCESS.allows(user):
        return SubjectAccessExport.objects.none()
    return SubjectAccessExport.objects.filter(
        person_id__in=access.person_list_visible_to(user=user).values("pk")
    ).select_related("person", "requested_by")


def subject_access_export_get(*, user: User, pk: int) -> SubjectAccessExport:
    return first_or_404(subject_access_export_list_visible_to(user=user), pk)


def subject_access_running_for(*, person: Person) -> SubjectAccessExport | None:
    """The bundle about ``person`` being built now, if any (there is at most one)."""
    return SubjectAccessExport.objects.filter(person=person, status__in=RUNNING).first()


def subject_access_download(*, user: User, pk: int) -> tuple[SubjectAccessExport, File]:
    """The finished bundle ``pk``, opened for reading, with its disclosure to ``user`` in the audit log.

    A bundle not yet built (or whose build failed) has no file: a 404, like one the user may not see. The caller
    closes the file (a streamed response does)."""
    export = subject_access_export_get(user=user, pk=pk)
    if export.status != SubjectAccessStatus.READY or not export.file:
        raise Http404("This bundle has no file to download.")
    try:
        opened = export.file.open("rb")
    except FileNotFoundError:  # the file was removed (the person erased, or the storage lost it): nothing to give
        raise Http404("This bundle's file is no longer held.") from None
    audit_record(
        user=user,
        action=AuditAction.DISCLOSE,
        obj=export,
        person=export.person_id,
        details={"subject_access_export": export.pk, "recipient": user.username, "flags": len(export.flags)},
    )
    return export, opened
