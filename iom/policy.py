"""Who may do what: every rule of the service has one name, here or in an app's ``rules`` module built on this one.

A :class:`Rule` names a thing a user may do and the roles (and, where it matters, the kinds of organisation)
that may do it. The three faces ask rules and never compare roles themselves: API permission classes map each
action to a rule (api/permissions.py), every page declares its rule (web/access.py), and templates read
``can_<rule>`` flags made from the same rules (web/context_processors.py). Services and selectors ask them too.

Which *rows* a permitted user sees is a different question, answered by the ``…_visible_to`` selectors
(iom/access.py): a rule says "officers read cases", visibility says "these cases".

One rule holds for every rule: a user in a case-work role (IOM officer, offender manager, IOM manager) who is not
in a police or probation organisation is allowed nothing that those roles are allowed, because case content is
for police and probation only (docs/roles.md). An inactive or anonymous user is allowed nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q

from iom.models import OrganisationType, Role

CASEWORK_ROLES = frozenset({Role.IOM_OFFICER, Role.OFFENDER_MANAGER, Role.IOM_MANAGER})
CASEWORK_ORGANISATION_TYPES = frozenset({OrganisationType.POLICE, OrganisationType.PROBATION})
ALL_ROLES = frozenset(Role.values)


def is_signed_in(user) -> bool:
    """An authenticated, active account: the precondition of every rule."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def access_change_widens(user, *, role: str, team_ids: set[int], current_team_ids: set[int]) -> bool:
    """Whether giving ``user`` this role and these teams could let them see more personal data than now.

    Any other role counts as wider (roles are not ranked), and so does any team added; only dropping teams
    narrows. A widening change needs a second person's approval (iom/services/staff.py).
    """
    return role != user.role or not team_ids <= current_team_ids


@dataclass(frozen=True)
class Rule:
    """One named permission: who may do it, and what a refused user is told."""

    name: str
    roles: frozenset[str]
    description: str
    refusal: str = "Your role does not allow this."
    organisation_types: frozenset[str] | None = None

    def covers(self, user) -> bool:
        """Whether the account's role (and organisation) fit the rule, active or not (for naming people on cases)."""
        if user is None or not user.is_authenticated or user.role not in self.roles:
            return False
        if user.role not in CASEWORK_ROLES and self.organisation_types is None:
            return True  # no organisation to check: spare the query
        organisation_type = user.organisation_type
        if user.role in CASEWORK_ROLES and organisation_type not in CASEWORK_ORGANISATION_TYPES:
            return False
        return self.organisation_types is None or organisation_type in self.organisation_types

    def allows(self, user) -> bool:
        return is_signed_in(user) and self.covers(user)

    def ensure(self, user) -> None:
        """Raise ``PermissionDenied`` (403) with the rule's refusal unless the user is allowed."""
        if not self.allows(user):
            raise PermissionDenied(self.refusal)

    def user_q(self, prefix: str = "") -> Q:
        """The same rule as a filter on users (``prefix`` for a relation, e.g. ``"owner__"``), active or not."""
        q = Q(**{f"{prefix}role__in": self.roles})
        casework_q = Q(**{f"{prefix}role__in": CASEWORK_ROLES})
        q &= ~casework_q | Q(**{f"{prefix}organisation__type__in": CASEWORK_ORGANISATION_TYPES})
        if self.organisation_types is not None:
            q &= Q(**{f"{prefix}organisation__type__in": self.organisation_types})
        return q


RULES: dict[str, Rule] = {}


def define(
    name: str,
    *,
    roles: Iterable[str],
    description: str,
    refusal: str = "Your role does not allow this.",
    organisation_types: Iterable[str] | None = None,
) -> Rule:
    """Make a rule and register it under ``name`` (which templates see as ``can_<name>``); a name is used once."""
    if name in RULES:
        raise ImproperlyConfigured(f"The rule {name!r} is defined twice.")
    unknown = set(roles) - ALL_ROLES
    if unknown:
        raise ImproperlyConfigured(f"The rule {name!r} names unknown roles: {sorted(unknown)}.")
    rule = Rule(
        name=name,
        roles=frozenset(roles),
        description=description,
        refusal=refusal,
        organisation_types=frozenset(organisation_types) if organisation_types is not None else None,
    )
    RULES[name] = rule
    return rule


# --- The core's rules (iom): people, cases, cohorts, the audit log ------------------------------------------------

SIGNED_IN = define("signed_in", roles=ALL_ROLES, description="Every signed-in user: their notifications, who they are.")
CASEWORK = define(
    "casework",
    roles=CASEWORK_ROLES,
    description="Police and probation case work: people, cases, pathways, actions, notes, grants.",
    refusal="Your role does not include case work.",
)
SCHEME_WIDE = define(
    "scheme_wide",
    roles={Role.IOM_MANAGER},
    description="Sees every case of the schemes their teams belong to, and people nobody manages yet.",
)
LEAD_CASES = define(
    "lead_cases",
    roles={Role.IOM_OFFICER, Role.IOM_MANAGER},
    organisation_types={OrganisationType.POLICE},
    description="May be named a case's lead officer (police).",
)
MANAGE_OFFENDERS = define(
    "manage_offenders",
    roles={Role.OFFENDER_MANAGER, Role.IOM_MANAGER},
    organisation_types={OrganisationType.PROBATION},
    description="May be named a case's offender manager (probation).",
)
LEAD_OWN_NEW_CASES = define(
    "lead_own_new_cases",
    roles={Role.IOM_OFFICER},
    description="Becomes the lead officer of a case they open for a person they create.",
)
MANAGE_OWN_NEW_CASES = define(
    "manage_own_new_cases",
    roles={Role.OFFENDER_MANAGER},
    description="Becomes the offender manager of a case they open for a person they create.",
)
PANEL_DECISIONS = define(
    "panel_decisions",
    roles={Role.IOM_OFFICER, Role.IOM_MANAGER},
    description="Records the panel's adoption and exit decisions for cohorts of their scheme.",
    refusal="Your role does not include panel decisions.",
)
READ_COHORTS = define(
    "read_cohorts",
    roles=CASEWORK_ROLES | {Role.ANALYST, Role.ADMINISTRATOR},
    description="Cohort names and member counts (not personal data).",
)
ALL_COHORTS = define(
    "all_cohorts",
    roles={Role.ANALYST, Role.ADMINISTRATOR},
    description="Reads every cohort, of any scheme (aggregates only).",
)
MANAGE_COHORTS = define(
    "manage_cohorts",
    roles={Role.IOM_MANAGER, Role.ADMINISTRATOR},
    description="Creates cohorts (managers for their scheme, administrators for any).",
    refusal="Only IOM managers and administrators create cohorts.",
)
READ_AUDIT = define(
    "read_audit",
    roles={Role.IOM_MANAGER, Role.ADMINISTRATOR},
    description="Reads the audit log (managers: their scheme's staff and people; administrators: all).",
    refusal="Your role does not include reading the audit log.",
)
AUDIT_VALUES = define(
    "audit_values",
    roles={Role.IOM_MANAGER},
    description="Sees the values in audit entries and links to the people they are about.",
)
BREAK_GLASS = define(
    "break_glass",
    roles=CASEWORK_ROLES,
    description=(
        "Opens one person's record outside their teams (break-glass): by exact PNC ID or CRN, with a reason, to read "
        "for a fixed time; audited and reviewed by an IOM manager."
    ),
    refusal="Your role does not include opening records outside your teams.",
)
REVIEW_BREAK_GLASS = define(
    "review_break_glass",
    roles={Role.IOM_MANAGER},
    description=(
        "Reviews the records their scheme's staff opened outside their teams, and those opened about people they see."
    ),
    refusal="Only IOM managers review records opened outside teams.",
)
SEE_VIEWERS = define(
    "see_viewers",
    roles={Role.IOM_MANAGER},
    description="Sees, on a person's page, who has looked at the person (from the audit log).",
)
ALL_AUDIT = define(
    "all_audit",
    roles={Role.ADMINISTRATOR},
    description="Reads every audit entry, without values.",
)
INVITE_USERS = define(
    "invite_users",
    roles={Role.IOM_MANAGER, Role.SCHEME_COORDINATOR, Role.ADMINISTRATOR},
    description=(
        "Invites people to join: managers their scheme's officers and offender managers and partner organisations' "
        "users, coordinators employers' users, administrators anyone."
    ),
    refusal="Your role does not include inviting people.",
)
INVITE_EMPLOYER_USERS = define(
    "invite_employer_users",
    roles={Role.SCHEME_COORDINATOR, Role.ADMINISTRATOR},
    description="Invites the users of an employer organisation (Gateway to Employment).",
)
MANAGE_STAFF = define(
    "manage_staff",
    roles={Role.IOM_MANAGER, Role.ADMINISTRATOR},
    description=(
        "Sees the accounts of their scheme's staff (administrators: everyone) with their sign-in history, "
        "deactivates and reactivates them, asks for and approves changes of their access."
    ),
    refusal="Only IOM managers and administrators manage staff accounts.",
)
ADMINISTER = define(
    "administer",
    roles={Role.ADMINISTRATOR},
    description="Manages accounts, organisations and reference data in the admin site.",
)
WORK_THROUGH_API = define(
    "work_through_api",
    roles={Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR, Role.SCHEME_COORDINATOR},
    description=(
        "Is shown the API in the menu: the roles whose work takes figures out of the service or puts files into it "
        "through the API (the metrics and Gateway figures, their CSV, imports, the Plan's actuals). Case workers, "
        "partner caseworkers and employers work on the pages; every signed-in user may still open the API's "
        "documentation and call what their role allows (docs/security.md)."
    ),
)
