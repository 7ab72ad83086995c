"""Who works here: organisations, IOM schemes and teams, and users with one role each."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from iom.models.abstract import NamedRecord
from iom.models.choices import OrganisationType, Role


class Organisation(NamedRecord):
    """Police, probation, a partner agency (council, housing, health, ...) or an employer; users belong to one."""

    type = models.CharField(max_length=30, choices=OrganisationType.choices)


class Scheme(NamedRecord):
    """A group of IOM teams in one force area, e.g. "Norfolk IOM"; IOM managers see a whole scheme."""

    force_area = models.CharField(max_length=200, blank=True)


class Team(NamedRecord):
    """An IOM team within a scheme, e.g. "Norwich IOM"; cases belong to one team."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="teams")


class User(AbstractUser):
    """A person who signs in. Access follows ``role``, ``organisation`` and ``teams`` (see iom/access.py)."""

    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users", null=True)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # "Sign out everywhere": a session begun before this moment has ended (iom/session_limits.py).
    sessions_valid_after = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def organisation_type(self) -> str | None:
        organisation = self.organisation  # no query when organisation_id is None
        return organisation.type if organisation is not None else None
