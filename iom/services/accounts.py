"""Account rules: which organisation types each role belongs to (docs/roles.md "The eight roles")."""

from django.core.exceptions import ValidationError

from iom.models import Organisation, OrganisationType, Role

ROLE_ORGANISATION_TYPES: dict[str, frozenset[str]] = {
    Role.IOM_OFFICER: frozenset({OrganisationType.POLICE}),
    Role.OFFENDER_MANAGER: frozenset({OrganisationType.PROBATION}),
    Role.IOM_MANAGER: frozenset({OrganisationType.POLICE, OrganisationType.PROBATION}),
    Role.PARTNER_CASEWORKER: frozenset(
        {
            OrganisationType.COUNCIL,
            OrganisationType.HOUSING,
            OrganisationType.HEALTH,
            OrganisationType.SUBSTANCE_MISUSE,
            OrganisationType.VICTIM_SUPPORT,
            OrganisationType.DWP,
        }
    ),
    Role.SCHEME_COORDINATOR: frozenset({OrganisationType.OPCC, OrganisationType.DWP}),
    Role.EMPLOYER: frozenset({OrganisationType.EMPLOYER}),
    Role.ANALYST: frozenset({OrganisationType.OPCC, OrganisationType.POLICE}),
    Role.ADMINISTRATOR: frozenset(OrganisationType.values),
}


def role_validate(*, role: str | None, organisation: Organisation | None) -> None:
    """Refuse a role that does not fit the user's organisation, e.g. an employer user as an IOM officer."""
    if role not in ROLE_ORGANISATION_TYPES:
        raise ValidationError({"role": "Choose a role."})
    if organisation is None:
        raise ValidationError({"organisation": "Choose the user's organisation."})
    allowed = ROLE_ORGANISATION_TYPES[role]
    if organisation.type not in allowed:
        names = ", ".join(sorted(OrganisationType(value).label for value in allowed))
        raise ValidationError(
            {"role": f"A {Role(role).label.lower()} must belong to an organisation of type: {names}."}
        )
