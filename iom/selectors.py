"""Reads of the IOM core, built on the visibility rules in iom/access.py.

Detail reads that show personal data record a *view* audit event, and
searches a *list* event with their query (DPA 2018 s.62 "consultation"), so
these functions are the only way pages and the API read people and cases.
"""

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.db.models import Case as DbCase
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone
from knox.models import AuthToken

from iom import access
from iom.audit import audit_record
from iom.models import (
    AccessChange,
    AccessChangeStatus,
    Action,
    ActionStatus,
    AuditAction,
    AuditEvent,
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


def person_get(*, user: User, pk: int) -> Person:
    """One visible person, or Http404; records that ``user`` looked at them."""
    person = access.person_list_visible_to(user=user).prefetch_related("flags").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    audit_record(user=user, action=AuditAction.VIEW, obj=person)
    return person


def case_list(*, user: User) -> QuerySet[Case]:
    return access.case_list_visible_to(user=user).select_related(
        "person", "team", "team__scheme", "lead_officer", "offender_manager"
    )


def case_get(*, user: User, pk: int) -> Case:
    """One visible case, or Http404; records the view against the person."""
    case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case.")
    audit_record(user=user, action=AuditAction.VIEW, obj=case, person=case.person_id)
    return case


def record_view(*, user: User, obj: models.Model, person_id: int | None) -> None:
    """Record that ``user`` read one record about a person (a note, an action, an assessment)."""
    audit_record(user=user, action=AuditAction.VIEW, obj=obj, person=person_id)


def audit_list_query(*, user: User, action: str, query: Mapping[str, Any]) -> None:
    """Record that ``user`` listed or searched, with the filters used (the query is the consultation)."""
    cleaned = {key: value for key, value in query.items() if value not in (None, "", [])}
    audit_record(user=user, action=AuditAction.LIST, details={"resource": action, "query": cleaned})


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


def person_viewers(*, person: Person, limit: int = 20) -> list[dict[str, Any]]:
    """Who has looked at this person, most recent first: for managers answering "who has seen this?"."""
    return list(
        AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.VIEW)
        .values("username")
        .annotate(last_viewed=Max("occurred_at"), views=Count("id"))
        .order_by("-last_viewed")[:limit]
    )


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
