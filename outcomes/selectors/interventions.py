"""Reads of interventions and the programme catalogue; visibility follows the case (iom.access)."""

from django.db.models import QuerySet

from iom import access
from iom.models import User
from outcomes.models import Intervention, Programme


def intervention_list_visible_to(*, user: User) -> QuerySet[Intervention]:
    """Interventions on cases ``user`` can see; none for roles that do not work cases."""
    if not access.works_cases(user):
        return Intervention.objects.none()
    return Intervention.objects.filter(case_id__in=access.case_list_visible_to(user=user).values("pk")).select_related(
        "case", "programme", "provider", "recorded_by"
    )


def programme_list(*, user: User, active_only: bool = False) -> QuerySet[Programme]:
    """The catalogue, for the people who record interventions."""
    if not access.works_cases(user):
        return Programme.objects.none()
    programmes = Programme.objects.select_related("provider")
    return programmes.filter(active=True) if active_only else programmes
