"""Reads of partners, employers, pledges and opportunities, with the rule that employers see only their own."""

from django.db.models import QuerySet

from iom.models import Role, User
from partners.models import Employer, Opportunity, Pledge, Service


def _is(user: User, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def service_list(*, user: User) -> QuerySet[Service]:
    """Services are not personal data: every signed-in user may see the directory."""
    return Service.objects.select_related("organisation").filter(active=True)


def employer_list_visible_to(*, user: User) -> QuerySet[Employer]:
    employers = Employer.objects.select_related("organisation")
    if _is(user, Role.SCHEME_COORDINATOR, Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR):
        return employers
    if _is(user, Role.EMPLOYER):
        return employers.filter(organisation_id=user.organisation_id)
    return employers.none()


def pledge_list_visible_to(*, user: User) -> QuerySet[Pledge]:
    return Pledge.objects.filter(employer__in=employer_list_visible_to(user=user)).select_related(
        "employer__organisation"
    )


def opportunity_list_visible_to(*, user: User) -> QuerySet[Opportunity]:
    """Coordinators (and IOM staff, who refer into them) see all; an employer sees only its own."""
    opportunities = Opportunity.objects.select_related("employer__organisation")
    if _is(
        user,
        Role.SCHEME_COORDINATOR,
        Role.IOM_OFFICER,
        Role.OFFENDER_MANAGER,
        Role.IOM_MANAGER,
        Role.ANALYST,
        Role.ADMINISTRATOR,
    ):
        return opportunities
    if _is(user, Role.EMPLOYER):
        return opportunities.filter(employer__organisation_id=user.organisation_id)
    return opportunities.none()
