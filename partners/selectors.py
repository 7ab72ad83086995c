"""Reads of partners, employers, pledges and opportunities, with the rule that employers see only their own."""

from django.db.models import QuerySet

from iom.models import Organisation, OrganisationType, User
from partners.models import Employer, Opportunity, Pledge, Service
from partners.rules import READ_ALL_EMPLOYERS, READ_ALL_OPPORTUNITIES, USE_PORTAL


def service_directory() -> QuerySet[Service]:
    """The active partner services: not personal data, offered to whoever may refer."""
    return Service.objects.select_related("organisation").filter(active=True)


def service_list(*, user: User) -> QuerySet[Service]:
    """Services are not personal data: every signed-in user may see the directory."""
    return service_directory()


def employer_list_visible_to(*, user: User) -> QuerySet[Employer]:
    employers = Employer.objects.select_related("organisation")
    if READ_ALL_EMPLOYERS.allows(user):
        return employers
    if USE_PORTAL.allows(user) and user.organisation_id is not None:
        return employers.filter(organisation_id=user.organisation_id)
    return employers.none()


def pledge_list_visible_to(*, user: User) -> QuerySet[Pledge]:
    return Pledge.objects.filter(employer__in=employer_list_visible_to(user=user)).select_related(
        "employer__organisation"
    )


def opportunity_list_visible_to(*, user: User) -> QuerySet[Opportunity]:
    """Coordinators (and IOM staff, who refer into them) see all; an employer sees only its own."""
    opportunities = Opportunity.objects.select_related("employer__organisation")
    if READ_ALL_OPPORTUNITIES.allows(user):
        return opportunities
    if USE_PORTAL.allows(user) and user.organisation_id is not None:
        return opportunities.filter(employer__organisation_id=user.organisation_id)
    return opportunities.none()


def employer_organisation_list_unregistered() -> QuerySet[Organisation]:
    """Employer organisations not yet registered with Gateway to Employment (an administrator adds organisations)."""
    return Organisation.objects.filter(type=OrganisationType.EMPLOYER, employer__isnull=True).order_by("name")
