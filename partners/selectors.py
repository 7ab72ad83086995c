"""Reads of partners, employers, pledges and opportunities, with the rule that employers see only their own."""

from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

from iom.models import Organisation, OrganisationType, User
from iom.policy import Rule
from partners.models import Employer, Opportunity, Pledge, Service
from partners.rules import READ_ALL_EMPLOYERS, READ_ALL_OPPORTUNITIES, USE_PORTAL

M = TypeVar("M", bound=models.Model)


def service_directory() -> QuerySet[Service]:
    """The active partner services: not personal data, offered to whoever may refer."""
    return Service.objects.select_related("organisation").filter(active=True)


def service_list(*, user: User) -> QuerySet[Service]:
    """Services are not personal data: every signed-in user may see the directory."""
    return service_directory()


def _all_or_own(rows: QuerySet[M], *, user: User, reads_all: Rule, organisation_id: str) -> QuerySet[M]:
    """Every row for a user ``reads_all`` allows; for an employer (the portal), only its own, found through the
    lookup ``organisation_id``; none for anyone else."""
    if reads_all.allows(user):
        return rows
    if USE_PORTAL.allows(user) and user.organisation_id is not None:
        return rows.filter(**{organisation_id: user.organisation_id})
    return rows.none()


def employer_list_visible_to(*, user: User) -> QuerySet[Employer]:
    employers = Employer.objects.select_related("organisation")
    return _all_or_own(employers, user=user, reads_all=READ_ALL_EMPLOYERS, organisation_id="organisation_id")


def pledge_list_visible_to(*, user: User) -> QuerySet[Pledge]:
    return Pledge.objects.filter(employer__in=employer_list_visible_to(user=user)).select_related(
        "employer__organisation"
    )


def opportunity_list_visible_to(*, user: User) -> QuerySet[Opportunity]:
    """Coordinators (and IOM staff, who refer into them) see all; an employer sees only its own."""
    opportunities = Opportunity.objects.select_related("employer__organisation")
    return _all_or_own(
        opportunities, user=user, reads_all=READ_ALL_OPPORTUNITIES, organisation_id="employer__organisation_id"
    )


def employer_organisation_list_unregistered() -> QuerySet[Organisation]:
    """Employer organisations not yet registered with Gateway to Employment (an administrator adds organisations)."""
    return Organisation.objects.filter(type=OrganisationType.EMPLOYER, employer__isnull=True).order_by("name")
