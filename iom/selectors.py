"""Reads of the IOM core, built on the visibility rules in iom/access.py.

Detail reads that show personal data record a *view* audit event, and
searches a *list* event with their query (DPA 2018 s.62 "consultation"), so
these functions are the only way pages and the API read people and cases.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Case as DbCase
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone
from knox.models import AuthToken

from iom import access
from iom.audit import audit_record, audit_record_rows, audit_values
from iom.models import (
    AccessChange,
    AccessChangeStatus,
    Action,
    ActionStatus,
    AuditAction,
    AuditEvent,
    BreakGlassAccess,
    Case,
    CaseNote,
    CaseStatus,
    CaseUserObjectPermission,
    Flag,
    Invitation,
    Membership,
    Notification,
    Organisation,
    PathwayAssessment,
    Person,
    Team,
    User,
)
from iom.policy import ADMINISTER, CASEWORK, INVITE_USERS, MANAGE_STAFF, Rule

M = TypeVar("M", bound=models.Model)


def first_or_404(queryset: QuerySet[M], pk: object) -> M:
    """The row ``pk`` of ``queryset`` (what the user may see): one outside it is a 404, like one that is not there.

    ``filter().first()`` rather than ``get()``: a visibility query may join and repeat a row."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def person_search(*, user: User, query: str = "") -> QuerySet[Person]:
    """People visible to ``user`` matching a name, alias, PNC ID or CRN; unfiltered when ``query`` is blank."""
    people = access.person_list_visible_to(user=user)
    query = (query or "").strip()
    if query:
        terms = Q(pnc_id__iexact=query) | Q(crn__iexact=query) | Q(aliases__icontains=query)
        words = query.split()
        name_q = Q()
        for word in words:
            name_q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        people = people.filter(terms | name_q)
    return people.prefetch_related("flags")


@dataclass(frozen=True)
class PersonRead:
    """A person as one user may read them; ``opened`` is the access outside their teams it goes through, if any."""

    person: Person
    opened: BreakGlassAccess | None = None


def _opened_details(opened: BreakGlassAccess | None) -> dict[str, int]:
    """What a view's audit row adds when it went through an access outside the user's teams: which one."""
    return {"break_glass": opened.pk} if opened is not None else {}


def _person_visible(*, user: User, pk: int) -> Person | None:
    return access.person_list_visible_to(user=user).prefetch_related("flags").filter(pk=pk).first()


def person_get(*, user: User, pk: int) -> Person:
    """One person visible through the user's teams, scheme or grants, or Http404; records that ``user`` looked.

    For every page and endpoint but the person's own page and API detail, which use :func:`person_read`.
    """
    person = _person_visible(user=user, pk=pk)
    if person is None:
        raise Http404("No such person.")
    audit_record(user=user, action=AuditAction.VIEW, obj=person)
    return person


def person_read(*, user: User, pk: int) -> PersonRead:
    """One person ``user`` may read on their page or ``GET people/{id}/``, or Http404; records the view.

    Through the user's teams, scheme or grants first (no extra query); failing that, through an unexpired record
    they opened outside their teams (one more query), which the caller keeps open with
    ``access.reading_opened_record(read.opened)`` for the rest of the page.
    """
    person, opened = _person_visible(user=user, pk=pk), None
    if person is None:
        opened = access.break_glass_active(user=user, person_id=pk)
        if opened is not None:
            with access.reading_opened_record(opened):
                person = _person_visible(user=user, pk=pk)
    if person is None:
        raise Http404("No such person.")
    audit_record(user=user, action=AuditAction.VIEW, obj=person, details=_opened_details(opened))
    return PersonRead(person=person, opened=opened)


def case_list(*, user: User) -> QuerySet[Case]:
    return access.case_list_visible_to(user=user).select_related(
        "person", "team", "team__scheme", "lead_officer", "offender_manager"
    )


def case_get(*, user: User, pk: int) -> Case:
    """One case visible through the user's teams, scheme or grants, or Http404; records the view against the person."""
    case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case.")
    audit_record(user=user, action=AuditAction.VIEW, obj=case, person=case.person_id)
    return case


def case_find(*, user: User, pk: int) -> tuple[Case, BreakGlassAccess | None]:
    """One case ``user`` may read on its page or ``GET cases/{id}/``, with the record opened outside their teams it
    goes through (if any); Http404 otherwise. Not audited: :func:`case_read` records the view, and the case page
    opens on its person's page, which records its own."""
    case, opened = case_list(user=user).filter(pk=pk).first(), None
    if case is None:
        opened = access.break_glass_active_for_case(user=user, case_id=pk)
        if opened is not None:
            with access.reading_opened_record(opened):
                case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case.")
    return case, opened


def case_read(*, user: User, pk: int) -> Case:
    """As :func:`case_find`, recording the view against the person (``GET cases/{id}/``)."""
    case, opened = case_find(user=user, pk=pk)
    audit_record(user=user, action=AuditAction.VIEW, obj=case, person=case.person_id, details=_opened_details(opened))
    return case


def record_view(*, user: User, obj: models.Model, person_id: int | None) -> None:
    """Record that ``user`` read one record about a person (a note, an action, an assessment)."""
    audit_record(user=user, action=AuditAction.VIEW, obj=obj, person=person_id)


def _recordable(value: Any) -> Any:
    """A query value as the audit row can hold it: a NUL character, which no PostgreSQL text or JSON value may
    contain (so recording a malformed query would fail the page), is written as U+FFFD, the replacement character."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_recordable(item) for item in value]
    return value


def audit_list_query(*, user: User, action: str, query: Mapping[str, Any], people: Iterable[int] = ()) -> None:
    """Record that ``user`` listed or searched, with the filters used (the query is the consultation).

    ``people`` are the ids of the people the rows shown are about. Each is named by a row of its own (the same
    query, written in one insert), so a list is found among the reads of each person it disclosed ("who has looked
    at this person"); a list about no one, or that found nothing, is one row naming no one.
    """
    cleaned = {key: _recordable(value) for key, value in query.items() if value not in (None, "", [])}
    details = {"resource": action, "query": cleaned}
    person_ids = sorted(set(people))
    if not person_ids:
        audit_record(user=user, action=AuditAction.LIST, details=details)
        return
    audit_record_rows(
        [audit_values(user=user, action=AuditAction.LIST, person_id=pk, details=details) for pk in person_ids]
    )


def pathway_current(*, case: Case) -> list[PathwayAssessment]:
    """The newest assessment of each pathway on ``case``, in one query."""
    newest = (
        PathwayAssessment.objects.filter(case_id=case.pk, pathway=OuterRef("pathway"))
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1]
    )
    return list(PathwayAssessment.objects.filter(case_id=case.pk, pk=Subquery(newest)).select_related("assessed_by"))


def assessment_list(*, user: User) -> QuerySet[PathwayAssessment]:
    return PathwayAssessment.objects.filter(
        case_id__in=access.case_list_visible_to(user=user).values("pk")
    ).select_related("assessed_by")


def action_list(*, user: User) -> QuerySet[Action]:
    return Action.objects.filter(case_id__in=access.case_list_visible_to(user=user).values("pk")).select_related(
        "owner", "case", "case__person"
    )


def action_list_overdue(*, user: User, on: datetime.date) -> QuerySet[Action]:
    return action_list(user=user).filter(owner=user, status=ActionStatus.OPEN, due_on__lt=on)


def note_list(*, user: User) -> QuerySet[CaseNote]:
    return access.note_list_visible_to(user=user).select_related("author")


def membership_list(*, user: User) -> QuerySet[Membership]:
    return access.membership_list_visible_to(user=user).select_related(
        "person", "cohort", "decided_by", "exit_decided_by"
    )


def pathway_current_for_cases(*, case_ids: list[int]) -> dict[int, dict[str, PathwayAssessment]]:
    """``{case_id: {pathway: newest assessment}}`` for many cases in one query (the caseload's RAG summary)."""
    newest = (
        PathwayAssessment.objects.filter(case_id=OuterRef("case_id"), pathway=OuterRef("pathway"))
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1]
    )
    current: dict[int, dict[str, PathwayAssessment]] = {case_id: {} for case_id in case_ids}
    for assessment in PathwayAssessment.objects.filter(case_id__in=case_ids, pk=Subquery(newest)):
        current[assessment.case_id][assessment.pathway] = assessment
    return current


def in_order(field: str, values: list[str]) -> DbCase:
    """An ORDER BY expression putting ``field``'s values in the given (working) order, not alphabetical."""
    return DbCase(*(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)), default=Value(99))


CASE_STATUS_ORDER = in_order("status", [CaseStatus.ACTIVE, CaseStatus.PAUSED, CaseStatus.CLOSED])
ACTION_STATUS_ORDER = in_order("status", [ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED])


def caseload(*, user: User) -> QuerySet[Case]:
    """Cases the user leads or co-manages: active, then paused, then closed."""
    return (
        case_list(user=user)
        .filter(Q(lead_officer=user) | Q(offender_manager=user))
        .order_by(CASE_STATUS_ORDER, "person__last_name", "person__first_name", "pk")
    )


def note_list_recent_on_caseload(*, user: User, limit: int = 10) -> list[CaseNote]:
    return list(
        note_list(user=user)
        .filter(Q(case__lead_officer=user) | Q(case__offender_manager=user))
        .select_related("case__person")
        .order_by("-occurred_on", "-pk")[:limit]
    )


# The audit actions that record someone reading about a person: one record, a list showing them, a disclosure.
READ_ACTIONS = (AuditAction.VIEW, AuditAction.LIST, AuditAction.DISCLOSE)


def person_viewers(*, person: Person, limit: int = 20) -> list[dict[str, Any]]:
    """Who has looked at this person, most recent first: for managers answering "who has seen this?"."""
    return list(
        AuditEvent.objects.filter(person_id=person.pk, action__in=READ_ACTIONS)
        .values("username")
        .annotate(last_viewed=Max("occurred_at"), views=Count("id"))
        .order_by("-last_viewed")[:limit]
    )


# --- Records opened outside one's teams (iom/services/break_glass.py) -----------------------------------------------

WAITING_FIRST = DbCase(When(reviewed_at__isnull=True, then=Value(0)), default=Value(1))


def break_glass_queue(*, user: User) -> QuerySet[BreakGlassAccess]:
    """The managers' review queue: the accesses waiting for a review first, then the reviewed ones, newest first."""
    return (
        access.break_glass_list_visible_to(user=user)
        .select_related("user", "person", "reviewed_by")
        .order_by(WAITING_FIRST, "-opened_at", "-pk")
    )


def break_glass_waiting_count(*, user: User) -> int:
    return access.break_glass_list_visible_to(user=user).filter(reviewed_at__isnull=True).count()


def break_glass_open_list(*, user: User) -> QuerySet[BreakGlassAccess]:
    """The records ``user`` has open outside their teams now, the soonest to close first: their way back to them
    (a search never finds them)."""
    return (
        BreakGlassAccess.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())
        .select_related("person")
        .order_by("expires_at", "pk")
    )


def break_glass_views(*, opened: BreakGlassAccess) -> dict[str, Any]:
    """How often the opener read the record through this access, and when last: what a reviewer weighs."""
    return AuditEvent.objects.filter(
        user_id=opened.user_id, person_id=opened.person_id, action=AuditAction.VIEW, details__break_glass=opened.pk
    ).aggregate(views=Count("id"), last_viewed=Max("occurred_at"))


def person_ids_visible_to(*, user: User, person_ids: list[int]) -> set[int]:
    """Which of ``person_ids`` ``user`` sees through their teams, scheme or grants (a page names only those)."""
    return set(access.person_list_visible_to(user=user).filter(pk__in=person_ids).values_list("pk", flat=True))


def user_list_seeing_case(*, case: Case, rule: Rule = CASEWORK) -> QuerySet[User]:
    """Who may be named on ``case`` under ``rule`` (lead officer, offender manager, action owner)."""
    return access.user_list_seeing_case(case=case).filter(rule.user_q())


def grant_list_for_cases(*, case_ids: list[int]) -> dict[int, list[CaseUserObjectPermission]]:
    """The explicit grants on each case, by case id, for the people on a page the reader can already see."""
    grants: dict[int, list[CaseUserObjectPermission]] = {case_id: [] for case_id in case_ids}
    for grant in (
        CaseUserObjectPermission.objects.filter(content_object_id__in=case_ids)
        .select_related("user", "permission", "granted_by")
        .order_by("user__username")
    ):
        grants[int(grant.content_object_id)].append(grant)
    return grants


def notification_list(*, user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (the model's order); nobody reads another's."""
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def record_reload(*, instance: M, related: tuple[str, ...] = ()) -> M:
    """The stored row of something the user has already been shown, as it is now (after another's save).

    For the conflict views of optimistic locking: the caller passed visibility when it loaded ``instance``.
    """
    return type(instance)._default_manager.select_related(*related).get(pk=instance.pk)


def user_by_username(*, username: str) -> User | None:
    """The account a username names, for a form that takes one (the service decides whether it will do)."""
    return User.objects.filter(username=username).first() if username else None


def team_list_for_new_case(*, user: User, person: Person) -> QuerySet[Team]:
    """The user's teams in which ``person`` has no open case yet: where a new case may be opened."""
    open_teams = Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).values("team_id")
    return user.teams.exclude(pk__in=open_teams)


def flag_list_active() -> QuerySet[Flag]:
    return Flag.objects.filter(active=True)


def organisation_list(*, types: tuple[str, ...] = ()) -> QuerySet[Organisation]:
    """Organisations by name (of the given types, if any): not personal data, offered in forms."""
    organisations = Organisation.objects.order_by("name")
    return organisations.filter(type__in=types) if types else organisations


def api_token_list_visible_to(*, user: User) -> QuerySet[AuthToken]:
    """Unexpired API tokens: a user's own, or everyone's for an administrator (who may revoke them)."""
    tokens = AuthToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())).select_related("user")
    if not ADMINISTER.allows(user):
        tokens = tokens.filter(user=user)
    return tokens.order_by("-created")


def api_token_visible(*, user: User, key: str) -> AuthToken | None:
    """The unexpired token ``key`` names, if ``user`` may see it (:func:`api_token_list_visible_to`), or None.

    A key no token could have (longer than the column, or holding a NUL character, which PostgreSQL refuses in a
    query) is None without asking the database, so a malformed address is a 404, not a 500.
    """
    if "\x00" in key or len(key) > AuthToken._meta.get_field("token_key").max_length:
        return None
    return api_token_list_visible_to(user=user).filter(token_key=key).first()


# --- Staff accounts (iom/services/staff.py) ---------------------------------------------------------------------

LIFECYCLE_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKED_OUT,
    AuditAction.LOGOUT,
    AuditAction.SESSION_ENDED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.TOKEN_ISSUED,
    AuditAction.TOKEN_REVOKED,
    AuditAction.TWO_FACTOR_ENROLLED,
    AuditAction.TWO_FACTOR_FAILED,
    AuditAction.TWO_FACTOR_RESET,
    AuditAction.BACKUP_CODES_ISSUED,
    AuditAction.JOINED,
)


def staff_list_visible_to(*, user: User, query: str = "") -> QuerySet[User]:
    """Accounts a staff manager looks after: everyone for administrators, their schemes' staff for managers;
    with ``query``, those whose username or name contains it."""
    if not MANAGE_STAFF.allows(user):
        return User.objects.none()
    users = User.objects.select_related("organisation").prefetch_related("teams")
    if not ADMINISTER.allows(user):
        in_scheme = User.objects.filter(teams__scheme_id__in=Team.objects.filter(members=user).values("scheme_id"))
        users = users.filter(pk__in=in_scheme.values("pk"))
    if query.strip():
        term = query.strip()
        users = users.filter(Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
    return users.order_by("last_name", "first_name", "username")


def invitation_list_visible_to(*, user: User) -> QuerySet[Invitation]:
    """Invitations one has sent; managers also see their schemes', administrators all."""
    if not INVITE_USERS.allows(user):
        return Invitation.objects.none()
    invitations = Invitation.objects.select_related("organisation", "invited_by", "user").prefetch_related("teams")
    if ADMINISTER.allows(user):
        return invitations
    q = Q(invited_by=user)
    if MANAGE_STAFF.allows(user):
        q |= Q(teams__scheme_id__in=Team.objects.filter(members=user).values("scheme_id"))
    return invitations.filter(pk__in=Invitation.objects.filter(q).values("pk"))


def access_change_list_pending(*, user: User) -> QuerySet[AccessChange]:
    """Waiting changes of access about accounts ``user`` looks after (whether they may decide each is the service's)."""
    return (
        AccessChange.objects.filter(status=AccessChangeStatus.PENDING, user__in=staff_list_visible_to(user=user))
        .select_related("user", "requested_by")
        .prefetch_related("teams")
    )


def lifecycle_events(*, user: User, limit: int = 50) -> list[AuditEvent]:
    """An account's history: what was done to it, its sign-ins, failures and lockouts (typed usernames included)."""
    about = Q(object_type="user", object_id=str(user.pk))
    own = Q(user=user, action__in=LIFECYCLE_ACTIONS)
    typed = Q(user__isnull=True, username__iexact=user.username, action__in=LIFECYCLE_ACTIONS)
    return list(
        AuditEvent.objects.filter(about | own | typed).select_related("user").order_by("-occurred_at", "-pk")[:limit]
    )
