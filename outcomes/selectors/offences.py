"""Reads of offence records: case workers see the offending history of the people they can see."""

from django.db.models import QuerySet

from iom import access
from iom.models import User
from outcomes.models import OffenceRecord


def offence_list_visible_to(*, user: User) -> QuerySet[OffenceRecord]:
    """Offence records of people ``user`` can see (iom.access); none for roles without case work."""
    if not access.works_cases(user):
        return OffenceRecord.objects.none()
    return OffenceRecord.objects.filter(person_id__in=access.person_list_visible_to(user=user).values("pk"))
