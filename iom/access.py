"""Which rows each user may see and change: the visibility half of the access rules (docs/roles.md).

Who may do a thing at all is a named rule in iom/policy.py; this module asks those rules and adds which people,
cases, memberships, notes and audit events a permitted user reaches.

Every read of people, cases, memberships, notes and audit goes through a
``*_visible_to`` selector here, and every write goes through an ``ensure_*``
check. Visibility is expressed as SQL (subqueries and ``EXISTS``), never a
Python loop, so lists stay one query per page however many rows there are.

Refusals follow one rule: a role that may not do a thing at all gets
``PermissionDenied`` (403); an object outside the user's visibility is
``Http404`` so its existence does not leak; a visible object the user may not
change is ``PermissionDenied``. Every refused write is audited.
"""

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from iom.audit import audit_record
from iom.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Case,
    CaseNote,
    CaseUserObjectPermission,
    Cohort,
    Membership,
    Person,
    Sensitivity,
    Team,
    User,
)
from iom.policy import (
    ALL_AUDIT,
    ALL_COHORTS,
    AUDIT_VALUES,
    CASEWORK,
    PANEL_DECISIONS,
    READ_AUDIT,
    READ_COHORTS,
    SCHEME_WIDE,
)

VIEW_CASE, CHANGE_CASE = "view_case", "change_case"


def works_cases(user) -> bool:
    """Police and probation users in a casework role: the only people who read case content."""
    return CASEWORK.allows(user)


def _team_ids(user: User) -> QuerySet:
    return User.teams.through.objects.filter(user_id=user.pk).values("team_id")


def _scheme_ids(user: User) -> QuerySet:
    return Team.objects.filter(members=user).values("scheme_id")


def _grant_exists(user: User, codenames: tuple[str, ...], case_ref: str = "pk") -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=OuterRef(case_ref), permission__codename__in=codenames
        )
    )


def _case_q(user: User, *, grant_codenames: tuple[str, ...]) -> Q:
    q = Q(team_id__in=_team_ids(user)) | Q(_grant_exists(user, grant_codenames))
    if SCHEME_WIDE.allows(user):
        q |= Q(team__scheme_id__in=_scheme_ids(user))
    return q


# --- Cases ------------------------------------------------------------------


def case_list_visible_to(*, user: User) -> QuerySet[Case]:
    if not works_cases(user):
        return Case.objects.none()
    return Case.objects.filter(_case_q(user, grant_codenames=(VIEW_CASE, CHANGE_CASE)))


def case_list_changeable_by(*, user: User) -> QuerySet[Case]:
    if not works_cases(user):
        return Case.objects.none()
    return Case.objects.filter(_case_q(user, grant_codenames=(CHANGE_CASE,)))


# Attempts that would have created a record are audited as refused *creates*, the rest as refused changes.
CREATING_ATTEMPTS = frozenset(
    {
        "adopt",
        "add action",
        "add note",
        "assess pathway",
        "open case",
        "add referral",
        "record intervention",
        "match to opportunity",
        "record placement event",
        "enter plan actual",
    }
)


def refuse(*, user: User, obj: Model, person_id: int | None, exc: Exception, details: dict | None = None) -> NoReturn:
    """Audit a refused write, then raise ``exc``: the one way every app's permission checks refuse a write.

    ``details["attempted"]`` names the attempt; one in :data:`CREATING_ATTEMPTS` is audited as a refused
    create, any other as a refused change.
    """
    attempted = (details or {}).get("attempted")
    action = AuditAction.CREATE if attempted in CREATING_ATTEMPTS else AuditAction.CHANGE
    audit_record(user=user, action=action, obj=obj, person=person_id, outcome=AuditOutcome.REFUSED, details=details)
    raise exc


CASEWORK_REFUSAL = CASEWORK.refusal


def ensure_works_cases(*, user: User) -> None:
    CASEWORK.ensure(user)


def _ensure_can_change(
    *, user: User, obj: Model, person_id: int | None, changeable: QuerySet, visible: QuerySet, attempted: str, noun: str
) -> None:
    """The one refusal ladder for writes: role (403), visibility (404), permission to change (403)."""
    exc: Exception
    if not works_cases(user):
        exc = PermissionDenied(CASEWORK_REFUSAL)
    elif changeable.filter(pk=obj.pk).exists():
        return
    elif visible.filter(pk=obj.pk).exists():
        exc = PermissionDenied(f"You can see this {noun} but have not been given permission to change it.")
    else:
        exc = Http404(f"No such {noun}.")
    refuse(user=user, obj=obj, person_id=person_id, details={"attempted": attempted}, exc=exc)


def ensure_can_change_case(*, user: User, case: Case, attempted: str = "change") -> None:
    """Refuse (and audit) unless ``user`` may change ``case``: 403 for the role, 404 if invisible."""
    _ensure_can_change(
        user=user,
        obj=case,
        person_id=case.person_id,
        changeable=case_list_changeable_by(user=user),
        visible=case_list_visible_to(user=user),
        attempted=attempted,
        noun="case",
    )


def user_list_seeing_case(*, case: Case) -> QuerySet[User]:
    """The reverse of :func:`case_list_visible_to`: who could own an action on ``case``."""
    grant = Exists(
        CaseUserObjectPermission.objects.filter(
            user_id=OuterRef("pk"), content_object_id=case.pk, permission__codename__in=(VIEW_CASE, CHANGE_CASE)
        )
    )
    in_scheme_as_manager = SCHEME_WIDE.user_q() & Q(teams__scheme_id=case.team.scheme_id)
    return (
        User.objects.filter(CASEWORK.user_q(), is_active=True)
        .filter(Q(teams=case.team_id) | in_scheme_as_manager | Q(grant))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- People -----------------------------------------------------------------


def _people_with_case_in(cases: QuerySet[Case], *, user: User) -> QuerySet[Person]:
    """People with one of ``cases``; IOM managers also reach people nobody manages yet (imports)."""
    q = Q(Exists(cases.filter(person_id=OuterRef("pk"))))
    if SCHEME_WIDE.allows(user):
        q |= ~Q(Exists(Case.objects.filter(person_id=OuterRef("pk"))))
    return Person.objects.filter(q)


def person_list_visible_to(*, user: User) -> QuerySet[Person]:
    """People with a case the user can see; IOM managers also see people nobody manages yet (imports)."""
    if not works_cases(user):
        return Person.objects.none()
    return _people_with_case_in(case_list_visible_to(user=user), user=user)


def person_list_changeable_by(*, user: User) -> QuerySet[Person]:
    if not works_cases(user):
        return Person.objects.none()
    return _people_with_case_in(case_list_changeable_by(user=user), user=user)


def ensure_can_change_person(*, user: User, person: Person, attempted: str = "change") -> None:
    _ensure_can_change(
        user=user,
        obj=person,
        person_id=person.pk,
        changeable=person_list_changeable_by(user=user),
        visible=person_list_visible_to(user=user),
        attempted=attempted,
        noun="person",
    )


# --- Cohorts and memberships -----------------------------------------------


def cohort_list_visible_to(*, user: User) -> QuerySet[Cohort]:
    """Cohort names and counts are not personal data: analysts and administrators see them all."""
    if not READ_COHORTS.allows(user):
        return Cohort.objects.none()
    if ALL_COHORTS.allows(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(Q(scheme_id__in=_scheme_ids(user)) | Q(scheme__isnull=True))


def _cohort_decision_refusal(*, user: User, cohort: Cohort) -> Exception | None:
    """Why ``user`` may record no panel decision for ``cohort``, whoever it is about; ``None`` if they may."""
    if not PANEL_DECISIONS.allows(user):
        return PermissionDenied(PANEL_DECISIONS.refusal)
    if not cohort_list_visible_to(user=user).filter(pk=cohort.pk).exists():
        return Http404("No such cohort.")
    if cohort.scheme_id is None and not SCHEME_WIDE.allows(user):
        return PermissionDenied("Only IOM managers record decisions for cohorts outside a scheme.")
    return None


def ensure_can_decide_for_cohort(*, user: User, cohort: Cohort, person: Person, attempted: str) -> None:
    """Panel decisions: officers and managers of the cohort's scheme, about people they may change."""
    exc = _cohort_decision_refusal(user=user, cohort=cohort)
    if exc is not None:
        details = {"attempted": attempted, "cohort": cohort.slug}
        refuse(user=user, obj=cohort, person_id=person.pk, details=details, exc=exc)
    ensure_can_change_person(user=user, person=person, attempted=attempted)


def may_decide_for_cohort(*, user: User, cohort: Cohort) -> bool:
    """Whether to offer panel decisions on ``cohort`` at all (each decision still checks the person)."""
    if not PANEL_DECISIONS.allows(user):
        return False
    if cohort.scheme_id is None:
        return SCHEME_WIDE.allows(user)
    return Team.objects.filter(members=user, scheme_id=cohort.scheme_id).exists()


def membership_list_visible_to(*, user: User) -> QuerySet[Membership]:
    if not works_cases(user):
        return Membership.objects.none()
    return Membership.objects.filter(
        person_id__in=person_list_visible_to(user=user).values("pk"),
        cohort_id__in=cohort_list_visible_to(user=user).values("pk"),
    )


# --- Notes ------------------------------------------------------------------


def sees_restricted_notes(user: User) -> bool:
    """Restricted notes are for police and probation users on the case: exactly those the case-work rule allows."""
    return works_cases(user)


def note_list_visible_to(*, user: User) -> QuerySet[CaseNote]:
    if not works_cases(user):
        return CaseNote.objects.none()
    notes = CaseNote.objects.filter(case_id__in=case_list_visible_to(user=user).values("pk"))
    if not sees_restricted_notes(user):
        notes = notes.exclude(sensitivity=Sensitivity.RESTRICTED)
    return notes


# --- Audit ------------------------------------------------------------------


def audit_list_visible_to(*, user: User) -> QuerySet[AuditEvent]:
    """Administrators see every event (without values, see the API); managers their scheme's staff and people."""
    if not READ_AUDIT.allows(user):
        return AuditEvent.objects.none()
    if ALL_AUDIT.allows(user):
        return AuditEvent.objects.all()
    # Events about a person only when the manager can see that person (so a grant to another
    # scheme's person never surfaces here); events about no person when done by the scheme's staff.
    # Failed sign-ins and lockouts name no user, only the username typed: those of the scheme's staff show too.
    scheme_staff = User.objects.filter(teams__scheme_id__in=_scheme_ids(user))
    return AuditEvent.objects.filter(
        Q(person_id__in=person_list_visible_to(user=user).values("pk"))
        | Q(person_id__isnull=True, user_id__in=scheme_staff.values("pk"))
        | Q(person_id__isnull=True, user__isnull=True, username__in=scheme_staff.values("username"))
    )


def audit_shows_values(user: User) -> bool:
    """Administrators manage the system, not cases: they see who did what, never the values."""
    return AUDIT_VALUES.allows(user)
