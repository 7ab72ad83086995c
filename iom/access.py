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

A record opened outside one's teams (break-glass, iom/services/break_glass.py) widens the case, person and note
selectors only inside :func:`reading_opened_record`, which the detail reads of that one person enter; lists and
searches never do, so nobody browses through it (docs/roles.md, "Opening a record outside your teams").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from iom.audit import audit_record
from iom.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    BreakGlassAccess,
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
    BREAK_GLASS,
    CASEWORK,
    PANEL_DECISIONS,
    READ_AUDIT,
    READ_COHORTS,
    REVIEW_BREAK_GLASS,
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


# --- Records opened outside one's teams (break-glass) ------------------------------------------------------------

# The access a detail read is going through, set only by reading_opened_record. A context variable, not an argument:
# every app's selectors take only the user, and this lets the one policy here widen all of them for one person and
# one read without a parameter threaded through each (and without any list ever being able to pass it).
_opened: ContextVar[BreakGlassAccess | None] = ContextVar("iom_opened_record", default=None)


def break_glass_active(*, user: User, person_id: int) -> BreakGlassAccess | None:
    """``user``'s unexpired access to this person outside their teams (the latest), or None: one indexed query."""
    if not BREAK_GLASS.allows(user):
        return None
    return (
        # ``person__pk``, not ``person_id``: an id from the address larger than the column is no row (SQLite would
        # raise OverflowError on the foreign key's own lookup).
        BreakGlassAccess.objects.filter(user_id=user.pk, person__pk=person_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def break_glass_active_for_case(*, user: User, case_id: int) -> BreakGlassAccess | None:
    """As :func:`break_glass_active`, for the person of case ``case_id``."""
    if not BREAK_GLASS.allows(user):
        return None
    return (
        BreakGlassAccess.objects.filter(user_id=user.pk, person__cases__pk=case_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


@contextmanager
def reading_opened_record(opened: BreakGlassAccess | None) -> Iterator[None]:
    """Reads inside the block also see the person ``opened`` names, their cases and their unrestricted notes.

    For the detail reads of that one person (iom.selectors.person_read, case_find) and the person page built from
    them; with ``None`` it changes nothing. Querysets keep what they were built with, so one built inside and
    read later still sees the person, and one built outside never does.
    """
    token = _opened.set(opened)
    try:
        yield
    finally:
        _opened.reset(token)


def _opened_person_id(user: User) -> int | None:
    """The person the current read opened outside ``user``'s teams, while that access is ``user``'s and unexpired."""
    opened = _opened.get()
    if opened is None or opened.user_id != user.pk or opened.expires_at <= timezone.now():
        return None
    return opened.person_id


def break_glass_list_visible_to(*, user: User) -> QuerySet[BreakGlassAccess]:
    """IOM managers see the records their scheme's staff opened outside their teams, and those opened about the
    people they see: the opener's managers and the person's alike."""
    if not REVIEW_BREAK_GLASS.allows(user):
        return BreakGlassAccess.objects.none()
    scheme_staff = User.objects.filter(teams__scheme_id__in=_scheme_ids(user)).values("pk")
    return BreakGlassAccess.objects.filter(
        Q(user_id__in=scheme_staff) | Q(person_id__in=person_list_visible_to(user=user).values("pk"))
    )


# --- Cases ------------------------------------------------------------------


def _case_list_usually_visible_to(user: User) -> QuerySet[Case]:
    """Through the user's teams, their scheme (managers) or a grant: what every list shows."""
    return Case.objects.filter(_case_q(user, grant_codenames=(VIEW_CASE, CHANGE_CASE)))


def case_list_visible_to(*, user: User) -> QuerySet[Case]:
    if not works_cases(user):
        return Case.objects.none()
    cases = _case_list_usually_visible_to(user)
    opened = _opened_person_id(user)
    return cases if opened is None else cases | Case.objects.filter(person_id=opened)


def case_list_changeable_by(*, user: User) -> QuerySet[Case]:
    if not works_cases(user):
        return Case.objects.none()
    # An erased person's records are kept only as anonymised facts: nobody adds to them (docs/retention.md).
    return Case.objects.filter(_case_q(user, grant_codenames=(CHANGE_CASE,)), person__erased_at__isnull=True)


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
ERASED_REFUSAL = "This person's personal data were erased after a retention review: nothing more can be recorded."


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
        erased = person_id is not None and Person.objects.filter(pk=person_id, erased_at__isnull=False).exists()
        exc = PermissionDenied(
            ERASED_REFUSAL if erased else f"You can see this {noun} but have not been given permission to change it."
        )
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
    people = _people_with_case_in(case_list_visible_to(user=user), user=user)
    opened = _opened_person_id(user)
    # The opened person's cases are in the cases above; this adds one who has none.
    return people if opened is None else people | Person.objects.filter(pk=opened)


def person_list_changeable_by(*, user: User) -> QuerySet[Person]:
    if not works_cases(user):
        return Person.objects.none()
    return _people_with_case_in(case_list_changeable_by(user=user), user=user).filter(erased_at__isnull=True)


def ensure_can_see_person(*, user: User, person: Person, attempted: str) -> None:
    """404 (audited) unless ``person`` is among those ``user`` sees: for services acting on a person they only read."""
    if not person_list_visible_to(user=user).filter(pk=person.pk).exists():
        refuse(
            user=user, obj=person, person_id=person.pk, exc=Http404("No such person."), details={"attempted": attempted}
        )


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
    notes = CaseNote.objects.filter(case_id__in=_case_list_usually_visible_to(user).values("pk"))
    if not sees_restricted_notes(user):
        notes = notes.exclude(sensitivity=Sensitivity.RESTRICTED)
    opened = _opened_person_id(user)
    if opened is not None:
        # A record opened outside one's teams shows its notes but not the restricted ones: those stay with the
        # police and probation users the case's team, scheme and grants give it (docs/roles.md, "Restricted notes").
        notes |= CaseNote.objects.filter(case__person_id=opened).exclude(sensitivity=Sensitivity.RESTRICTED)
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
