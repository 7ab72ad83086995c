"""The case pages: open a case, allocation and status, pathway assessments, the action plan, notes and access.

``case`` is a Norwich case led by ``officer`` with ``probation`` as offender manager; ``officer2`` works in
Great Yarmouth (same Norfolk scheme, other team); ``outsider_manager`` manages another scheme; ``manager``
manages the Norfolk scheme. Cases are read on their person's page, so successful forms redirect there.
"""

import datetime
import html
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom import services
from iom.models import (
    Action,
    ActionStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Case,
    CaseNote,
    CaseStatus,
    CaseUserObjectPermission,
    PathwayAssessment,
    Person,
    Role,
    Sensitivity,
)
from tests.iom import factories

pytestmark = pytest.mark.django_db

NOT_CASEWORK = ["partner", "coordinator", "employer", "analyst", "admin"]
GET_PAGES = {
    "open-case": "/people/{person}/cases/new/",
    "case": "/cases/{case}/",
    "allocate": "/cases/{case}/allocate/",
    "assess": "/cases/{case}/assess/",
    "action-new": "/cases/{case}/actions/new/",
    "action-edit": "/actions/{action}/edit/",
    "note-new": "/cases/{case}/notes/new/",
    "access": "/cases/{case}/access/",
}
POST_ONLY_PAGES = {
    "action-complete": "/actions/{action}/complete/",
    "action-cancel": "/actions/{action}/cancel/",
}
ALL_PAGES = {**GET_PAGES, **POST_ONLY_PAGES}


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page as a reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def audited_writes() -> int:
    """Completed creates, changes and grants in the s.62 log: a refused or failed form must not add one."""
    return AuditEvent.objects.filter(
        outcome=AuditOutcome.DONE,
        action__in=[AuditAction.CREATE, AuditAction.CHANGE, AuditAction.PERMISSION_GRANTED],
    ).count()


def row_counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "assessments": PathwayAssessment.objects.count(),
        "actions": Action.objects.count(),
        "notes": CaseNote.objects.count(),
        "grants": CaseUserObjectPermission.objects.count(),
    }


class _Inputs(HTMLParser):
    """The value of each named <input> on a page (the hidden ``version`` in particular)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


def input_value(response, name: str) -> str:
    parser = _Inputs()
    parser.feed(response.content.decode())
    return parser.values[name]


@pytest.fixture
def person(case):
    """The shared ``person`` with a name no Faker-named user shares, so "not in the page" checks cannot misfire."""
    Person.objects.filter(pk=case.person_id).update(first_name="Jolyon", last_name="Quarrington-Vesey")
    case.person.refresh_from_db()
    return case.person


@pytest.fixture
def action(case, officer):
    return factories.ActionFactory(case=case, owner=officer, description="Find a hostel place", due_on=days(7))


@pytest.fixture
def urls(person, case, action):
    def _url(page: str) -> str:
        return ALL_PAGES[page].format(person=person.pk, case=case.pk, action=action.pk)

    return _url


@pytest.fixture
def valid_posts(yarmouth, officer):
    """A well-formed POST for each page, so a refusal is about who asks, not what they sent."""
    return {
        "open-case": {"team": yarmouth.pk},
        "case": {},
        "allocate": {"version": 1, "lead_officer": officer.pk, "offender_manager": "", "status": "closed"},
        "assess": {"pathway": "health", "need_level": "high", "rag": "red", "assessed_on": days(0)},
        "action-new": {
            "description": "Register with a GP",
            "pathway": "health",
            "owner": officer.pk,
            "due_on": days(5),
        },
        "action-edit": {"version": 1, "description": "Changed", "pathway": "", "owner": officer.pk, "due_on": days(5)},
        "note-new": {
            "note_type": "contact",
            "occurred_on": days(0),
            "text": "Written by someone",
            "sensitivity": "normal",
        },
        "access": {"username": "officer2", "permission": "change_case", "reason": "Covering leave"},
        "action-complete": {"version": 1},
        "action-cancel": {"version": 1},
    }


def assert_unchanged(case, action, counts_before):
    assert row_counts() == counts_before
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.version) == (CaseStatus.ACTIVE, 1)
    action = Action.objects.get(pk=action.pk)
    assert (action.status, action.version, action.description) == (ActionStatus.OPEN, 1, "Find a hostel place")
    assert audited_writes() == 0


# --- Who may use the case pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(ALL_PAGES))
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, urls, case, action, valid_posts, page):
    counts = row_counts()
    path = urls(page)
    for response in (client.get(path), client.post(path, valid_posts[page])):
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
        assert path in response["Location"]
    assert_unchanged(case, action, counts)


@pytest.mark.parametrize("page", list(ALL_PAGES))
@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_are_refused_every_case_page(
    all_roles, urls, person, case, action, valid_posts, role, page
):
    counts = row_counts()
    client = signed_in(all_roles[role])
    responses = [client.post(urls(page), valid_posts[page])]
    if page in GET_PAGES:
        responses.append(client.get(urls(page)))
    for response in responses:
        assert response.status_code == 403
        assert person.last_name not in text(response)
        assert person.pnc_id not in text(response)
    assert_unchanged(case, action, counts)


@pytest.mark.parametrize("page", list(ALL_PAGES))
@pytest.mark.parametrize("role", ["officer2", "outsider_manager"])
def test_users_outside_the_team_and_scheme_get_not_found_and_change_nothing(
    all_roles, urls, person, case, action, valid_posts, role, page
):
    counts = row_counts()
    client = signed_in(all_roles[role])
    responses = [client.post(urls(page), valid_posts[page])]
    if page == "case":
        # The case address only redirects to the person page: it takes GET, and a POST is refused for its method
        # (after the role, before the case is looked up, so it says nothing about the case either).
        assert responses.pop().status_code == 405
    if page in GET_PAGES:
        responses.append(client.get(urls(page)))
    for response in responses:
        assert response.status_code == 404
        assert person.last_name not in text(response)
    assert_unchanged(case, action, counts)
    assert not CaseUserObjectPermission.objects.filter(user=all_roles[role]).exists()


@pytest.mark.parametrize("page", [page for page in GET_PAGES if page != "case"])
@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_the_team_and_the_schemes_manager_open_every_case_form(all_roles, urls, person, role, page):
    response = signed_in(all_roles[role]).get(urls(page))
    assert response.status_code == 200
    assert person.full_name in text(response)


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_the_case_address_redirects_to_the_case_on_its_persons_page(all_roles, person, case, role):
    response = signed_in(all_roles[role]).get(f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/#case-{case.pk}"


@pytest.mark.parametrize("page", list(POST_ONLY_PAGES))
def test_completing_and_cancelling_are_post_only(officer, urls, action, page):
    assert signed_in(officer).get(urls(page)).status_code == 405
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_an_unknown_case_or_action_is_not_found(officer):
    client = signed_in(officer)
    assert client.get("/cases/999999/allocate/").status_code == 404
    assert client.get("/actions/999999/edit/").status_code == 404
    assert client.post("/actions/999999/complete/", {"version": 1}).status_code == 404


# --- Open a case ------------------------------------------------------------------------------------------------


def test_an_officer_reopens_work_with_a_new_case_after_the_old_one_closed(officer, norwich, person, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=today())
    response = signed_in(officer).post(f"/people/{person.pk}/cases/new/", {"team": norwich.pk}, follow=True)
    new_case = Case.objects.exclude(pk=case.pk).get(person=person)
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{new_case.pk}", 302)]
    assert "A case was opened in Norwich IOM." in text(response)
    assert (new_case.team, new_case.lead_officer, new_case.status) == (norwich, officer, CaseStatus.ACTIVE)
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.CREATE, object_id=str(new_case.pk)).exists()


def test_a_colleague_with_a_grant_opens_a_case_in_their_own_team(officer2, yarmouth, person, case):
    assign_perm("view_case", officer2, case)
    response = signed_in(officer2).post(f"/people/{person.pk}/cases/new/", {"team": yarmouth.pk}, follow=True)
    assert "A case was opened in Great Yarmouth IOM." in text(response)
    assert Case.objects.get(person=person, team=yarmouth).lead_officer == officer2


def test_a_second_open_case_in_the_same_team_is_refused(officer, norwich, person, case):
    counts = row_counts()
    response = signed_in(officer).post(f"/people/{person.pk}/cases/new/", {"team": norwich.pk})
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f"{person.full_name} already has an open case in Norwich IOM." in content
    assert row_counts() == counts
    assert audited_writes() == 0


def test_opening_a_case_needs_a_team_the_user_works_in(officer, yarmouth, person, case):
    counts = row_counts()
    client = signed_in(officer)
    for data in ({"team": ""}, {"team": yarmouth.pk}):
        response = client.post(f"/people/{person.pk}/cases/new/", data)
        assert "There is a problem" in text(response)
        assert 'href="#id_team"' in text(response)
    assert row_counts() == counts
    assert audited_writes() == 0


# --- Allocation and status ----------------------------------------------------------------------------------------


@pytest.fixture
def probation2(probation_org, norwich):
    return factories.UserFactory(
        username="probation2",
        first_name="Priya",
        last_name="Okonkwo",
        role=Role.OFFENDER_MANAGER,
        organisation=probation_org,
        teams=[norwich],
    )


def allocation(case, **overrides) -> dict:
    data = {
        "version": case.version,
        "lead_officer": case.lead_officer_id or "",
        "offender_manager": case.offender_manager_id or "",
        "status": case.status,
    }
    data.update(overrides)
    return data


def test_the_allocate_form_shows_the_current_allocation(officer, case):
    response = signed_in(officer).get(f"/cases/{case.pk}/allocate/")
    form = response.context["form"]
    assert form["lead_officer"].value() == case.lead_officer_id
    assert form["offender_manager"].value() == case.offender_manager_id
    assert input_value(response, "version") == "1"


def test_the_schemes_manager_pauses_a_case(manager, person, case):
    response = signed_in(manager).post(
        f"/cases/{case.pk}/allocate/", allocation(case, status=CaseStatus.PAUSED), follow=True
    )
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}", 302)]
    assert "The case's allocation and status were saved." in text(response)
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.PAUSED, 2)
    assert AuditEvent.objects.get(user=manager, action=AuditAction.CHANGE).changes == {"status": ["active", "paused"]}


def test_a_refused_reopening_keeps_the_old_offender_manager_too(officer, probation, probation2, case):
    """The page changes allocation and status in one service call: the refused status leaves nothing behind."""
    services.case_set_status(acting_user=officer, case=case, version=case.version, status=CaseStatus.CLOSED)
    factories.CaseFactory(person=case.person, team=case.team)  # another open case in the team: no reopening
    case.refresh_from_db()
    version = case.version
    response = signed_in(officer).post(
        f"/cases/{case.pk}/allocate/",
        allocation(case, offender_manager=probation2.pk, status=CaseStatus.ACTIVE),
    )
    assert response.status_code == 200
    assert "This person already has another open case in this team." in text(response)
    case.refresh_from_db()
    assert (case.offender_manager, case.status, case.version) == (probation, CaseStatus.CLOSED, version)


def test_an_officer_hands_the_case_to_another_offender_manager(officer, probation2, case):
    response = signed_in(officer).post(f"/cases/{case.pk}/allocate/", allocation(case, offender_manager=probation2.pk))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.offender_manager == probation2


def test_a_probation_user_cannot_be_the_lead_officer(officer, probation, case):
    counts = row_counts()
    response = signed_in(officer).post(f"/cases/{case.pk}/allocate/", allocation(case, lead_officer=probation.pk))
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert 'href="#id_lead_officer"' in content
    case.refresh_from_db()
    assert (case.lead_officer, case.version) == (officer, 1)
    assert row_counts() == counts
    assert audited_writes() == 0


def test_a_lead_officer_must_be_able_to_see_the_case(officer, officer2, case):
    """officer2 works in Great Yarmouth and holds no grant: as lead officer they could not open their own case."""
    assert signed_in(officer2).get(f"/cases/{case.pk}/").status_code == 404
    response = signed_in(officer).post(f"/cases/{case.pk}/allocate/", allocation(case, lead_officer=officer2.pk))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    case.refresh_from_db()
    assert (case.lead_officer, case.version) == (officer, 1)
    assert audited_writes() == 0


def test_a_stale_allocation_shows_the_other_change_saves_nothing_and_then_saves_with_the_new_version(
    officer, probation, manager, case
):
    stale = allocation(case, lead_officer=manager.pk)
    assert (
        signed_in(probation).post(f"/cases/{case.pk}/allocate/", allocation(case, status="paused")).status_code == 302
    )

    client = signed_in(officer)
    response = client.post(f"/cases/{case.pk}/allocate/", stale)
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f"Saved by someone else: lead officer {officer}, offender manager {probation}, status paused." in content
    case.refresh_from_db()
    assert (case.lead_officer, case.status, case.version) == (officer, CaseStatus.PAUSED, 2)
    assert input_value(response, "version") == "2"
    assert audited_writes() == 1  # only probation's change

    resubmitted = client.post(f"/cases/{case.pk}/allocate/", dict(stale, version=input_value(response, "version")))
    assert resubmitted.status_code == 302
    case.refresh_from_db()
    assert case.lead_officer == manager


# --- Pathway assessments ----------------------------------------------------------------------------------------


def test_the_assess_form_preselects_the_pathway_from_the_link(officer, case):
    response = signed_in(officer).get(f"/cases/{case.pk}/assess/?pathway=health")
    assert response.context["form"]["pathway"].value() == "health"


def test_an_officer_assesses_a_pathway_and_sees_it_is_now_red(officer, person, case):
    data = {"pathway": "accommodation", "need_level": "high", "rag": "red", "assessed_on": days(0), "notes": "NFA"}
    response = signed_in(officer).post(f"/cases/{case.pk}/assess/", data, follow=True)
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-pathways", 302)]
    assert "Accommodation is now red." in text(response)
    assessment = PathwayAssessment.objects.get(case=case)
    assert (assessment.rag, assessment.need_level, assessment.assessed_by) == ("red", "high", officer)


def test_the_offender_manager_can_assess_a_pathway(probation, case):
    data = {"pathway": "drugs_alcohol", "need_level": "medium", "rag": "amber", "assessed_on": days(0)}
    response = signed_in(probation).post(f"/cases/{case.pk}/assess/", data, follow=True)
    assert "Drugs and alcohol is now amber." in text(response)
    assert PathwayAssessment.objects.get(case=case).assessed_by == probation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rag": None}, "rag_0", "Choose RAG status."),
        ({"need_level": None}, "need_level_0", "Choose need level."),
        ({"pathway": ""}, "pathway", "Choose pathway."),
        ({"assessed_on": days(1)}, "assessed_on", "The assessment date cannot be in the future."),
        ({"assessed_on": days(-400)}, "assessed_on", "The assessment date cannot be before the case was opened."),
    ],
    ids=["no-rag", "no-need-level", "no-pathway", "future-date", "before-the-case"],
)
def test_an_assessment_with_bad_input_is_refused_and_writes_nothing(officer, case, overrides, field, message):
    data = {"pathway": "accommodation", "need_level": "high", "rag": "red", "assessed_on": days(0)}
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    counts = row_counts()
    response = signed_in(officer).post(f"/cases/{case.pk}/assess/", data)
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f'href="#id_{field}"' in content
    assert message in content
    assert row_counts() == counts
    assert audited_writes() == 0


# --- The action plan --------------------------------------------------------------------------------------------


def test_an_officer_adds_an_action_for_the_offender_manager(officer, probation, person, case):
    data = {
        "description": "Book a housing assessment",
        "pathway": "accommodation",
        "owner": probation.pk,
        "due_on": days(10),
    }
    response = signed_in(officer).post(f"/cases/{case.pk}/actions/new/", data, follow=True)
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-actions", 302)]
    content = text(response)
    assert "The action was added to the plan." in content
    assert "Book a housing assessment" in content
    added = Action.objects.get(case=case)
    assert (added.owner, added.created_by, added.status, added.pathway) == (probation, officer, "open", "accommodation")


def test_the_offender_manager_adds_an_action(probation, case):
    data = {"description": "Attend the probation induction", "pathway": "", "owner": probation.pk, "due_on": days(3)}
    assert signed_in(probation).post(f"/cases/{case.pk}/actions/new/", data).status_code == 302
    assert Action.objects.get(case=case).pathway is None


def test_the_action_owner_list_is_everyone_who_can_see_the_case(officer, officer2, probation, manager, case):
    owners = set(signed_in(officer).get(f"/cases/{case.pk}/actions/new/").context["form"].fields["owner"].queryset)
    assert {officer, probation, manager} <= owners
    assert officer2 not in owners


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": "   "}, "description", "Enter description."),
        ({"owner": "officer2"}, "owner", "Select a valid choice."),
        ({"owner": "outsider_manager"}, "owner", "Select a valid choice."),
        ({"due_on": ""}, "due_on", "Enter due date."),
        ({"owner": ""}, "owner", "Choose owner."),
    ],
    ids=["empty-description", "owner-in-another-team", "owner-in-another-scheme", "no-due-date", "no-owner"],
)
def test_an_action_with_bad_input_is_refused_and_writes_nothing(all_roles, case, overrides, field, message):
    data = {
        "description": "Book a housing assessment",
        "pathway": "",
        "owner": all_roles["officer"].pk,
        "due_on": days(5),
    }
    if overrides.get("owner"):
        overrides = {"owner": all_roles[overrides["owner"]].pk}
    data.update(overrides)
    counts = row_counts()
    response = signed_in(all_roles["officer"]).post(f"/cases/{case.pk}/actions/new/", data)
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f'href="#id_{field}"' in content
    assert message in content
    assert row_counts() == counts
    assert audited_writes() == 0


def test_an_action_cannot_be_added_to_a_closed_case(officer, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=today())
    data = {"description": "Too late", "pathway": "", "owner": officer.pk, "due_on": days(5)}
    response = signed_in(officer).post(f"/cases/{case.pk}/actions/new/", data)
    assert "This case is closed; reopen it before adding actions." in text(response)
    assert not Action.objects.filter(description="Too late").exists()
    assert audited_writes() == 0


def edit_action_data(action, **overrides) -> dict:
    data = {
        "version": action.version,
        "description": action.description,
        "pathway": action.pathway or "",
        "owner": action.owner_id,
        "due_on": action.due_on,
    }
    data.update(overrides)
    return data


def test_an_officer_edits_an_action(officer, probation, person, case, action):
    response = signed_in(officer).post(
        f"/actions/{action.pk}/edit/", edit_action_data(action, owner=probation.pk, due_on=days(14)), follow=True
    )
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-actions", 302)]
    assert "The action was saved." in text(response)
    action.refresh_from_db()
    assert (action.owner, action.due_on.isoformat(), action.version) == (probation, days(14), 2)


def test_an_action_edit_with_an_empty_description_writes_nothing(officer, action):
    response = signed_in(officer).post(f"/actions/{action.pk}/edit/", edit_action_data(action, description=""))
    assert "There is a problem" in text(response)
    action.refresh_from_db()
    assert (action.description, action.version) == ("Find a hostel place", 1)
    assert audited_writes() == 0


def test_a_stale_action_edit_shows_the_other_change_saves_nothing_and_then_saves_with_the_new_version(
    officer, probation, action
):
    client = signed_in(officer)
    opened = client.get(f"/actions/{action.pk}/edit/")
    assert input_value(opened, "version") == "1"
    mine = edit_action_data(action, description="Mine: hostel in Norwich")
    theirs = edit_action_data(action, description="Theirs: hostel in Thetford", owner=probation.pk)
    assert signed_in(probation).post(f"/actions/{action.pk}/edit/", theirs).status_code == 302

    response = client.post(f"/actions/{action.pk}/edit/", mine)
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f"Saved by someone else: “Theirs: hostel in Thetford”, owner {probation}" in content
    assert "Mine: hostel in Norwich" in content  # what this user typed is kept in the form
    action.refresh_from_db()
    assert (action.description, action.owner, action.version) == ("Theirs: hostel in Thetford", probation, 2)
    assert input_value(response, "version") == "2"

    resubmitted = client.post(f"/actions/{action.pk}/edit/", dict(mine, version=input_value(response, "version")))
    assert resubmitted.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner, action.version) == ("Mine: hostel in Norwich", officer, 3)


def test_an_officer_marks_an_action_done(officer, person, case, action):
    response = signed_in(officer).post(f"/actions/{action.pk}/complete/", {"version": 1}, follow=True)
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-actions", 302)]
    assert "“Find a hostel place” was marked done." in text(response)
    action.refresh_from_db()
    assert (action.status, action.done_on, action.version) == (ActionStatus.DONE, today(), 2)


def test_the_offender_manager_marks_an_action_done(probation, action):
    response = signed_in(probation).post(f"/actions/{action.pk}/complete/", {"version": 1}, follow=True)
    assert "was marked done." in text(response)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE


def test_completing_an_action_twice_shows_an_error_banner_and_it_stays_done(officer, action):
    client = signed_in(officer)
    assert "was marked done" in text(client.post(f"/actions/{action.pk}/complete/", {"version": 1}, follow=True))
    writes = audited_writes()

    response = client.post(f"/actions/{action.pk}/complete/", {"version": 2}, follow=True)
    content = text(response)
    assert "govuk-notification-banner__title" in content
    assert "Important" in content
    assert "Only open actions can be completed; this one is done." in content
    assert "was marked done" not in content
    action.refresh_from_db()
    assert (action.status, action.done_on, action.version) == (ActionStatus.DONE, today(), 2)
    assert audited_writes() == writes


def test_a_done_action_cannot_be_cancelled(officer, action):
    client = signed_in(officer)
    client.post(f"/actions/{action.pk}/complete/", {"version": 1})
    writes = audited_writes()
    response = client.post(f"/actions/{action.pk}/cancel/", {"version": 2}, follow=True)
    assert "Only open actions can be cancelled; this one is done." in text(response)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE
    assert audited_writes() == writes


def test_an_officer_cancels_an_action(officer, action):
    response = signed_in(officer).post(f"/actions/{action.pk}/cancel/", {"version": 1}, follow=True)
    assert "“Find a hostel place” was marked cancelled." in text(response)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.CANCELLED


def test_completing_without_a_version_asks_to_reload_and_changes_nothing(officer, action):
    response = signed_in(officer).post(f"/actions/{action.pk}/complete/", {}, follow=True)
    assert "That action could not be updated: reload the page and try again." in text(response)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN
    assert audited_writes() == 0


def test_completing_from_a_stale_page_is_a_conflict_and_changes_nothing(officer, probation, action):
    signed_in(probation).post(f"/actions/{action.pk}/edit/", edit_action_data(action, description="Reworded"))
    response = signed_in(officer).post(f"/actions/{action.pk}/complete/", {"version": 1}, follow=True)
    assert "changed by someone else" in text(response)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_a_colleague_with_view_only_access_cannot_complete_an_action(officer2, case, action):
    assign_perm("view_case", officer2, case)
    response = signed_in(officer2).post(f"/actions/{action.pk}/complete/", {"version": 1})
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN
    assert audited_writes() == 0


# --- Notes -----------------------------------------------------------------------------------------------------


def note_data(**overrides) -> dict:
    data = {
        "note_type": "home_visit",
        "occurred_on": days(0),
        "text": "Visited at home; engaging well.",
        "sensitivity": "normal",
    }
    data.update(overrides)
    return data


def test_an_officer_adds_a_note(officer, person, case):
    response = signed_in(officer).post(f"/cases/{case.pk}/notes/new/", note_data(), follow=True)
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-notes", 302)]
    content = text(response)
    assert "The note was added." in content
    assert "Visited at home; engaging well." in content
    note = CaseNote.objects.get(case=case)
    assert (note.author, note.note_type, note.sensitivity) == (officer, "home_visit", Sensitivity.NORMAL)


def test_the_offender_manager_adds_a_restricted_note_the_team_sees_tagged(officer, probation, person, case):
    response = signed_in(probation).post(
        f"/cases/{case.pk}/notes/new/", note_data(text="Disclosure from partner agency", sensitivity="restricted")
    )
    assert response.status_code == 302
    assert CaseNote.objects.get(case=case).sensitivity == Sensitivity.RESTRICTED
    content = text(signed_in(officer).get(f"/people/{person.pk}/"))
    assert "Disclosure from partner agency" in content
    assert '<strong class="govuk-tag govuk-tag--purple">Restricted</strong>' in content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text": ""}, "text", "Enter note."),
        ({"text": "   "}, "text", "Enter note."),
        ({"occurred_on": days(1)}, "occurred_on", "The note's date cannot be in the future."),
        ({"note_type": "gossip"}, "note_type", "Select a valid choice."),
    ],
    ids=["empty-text", "blank-text", "future-date", "unknown-type"],
)
def test_a_note_with_bad_input_is_refused_and_writes_nothing(officer, case, overrides, field, message):
    counts = row_counts()
    response = signed_in(officer).post(f"/cases/{case.pk}/notes/new/", note_data(**overrides))
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f'href="#id_{field}"' in content
    assert message in content
    assert row_counts() == counts
    assert audited_writes() == 0


# --- Access grants ------------------------------------------------------------------------------------------


def test_an_officer_gives_a_colleague_in_another_team_change_access(officer, officer2, person, case):
    response = signed_in(officer).post(
        f"/cases/{case.pk}/access/",
        {"username": "officer2", "permission": "change_case", "reason": "Covering annual leave"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/cases/{case.pk}/access/", 302)]
    assert f"{officer2} can now view and change this case." in text(response)
    assert set(
        CaseUserObjectPermission.objects.filter(content_object=case, user=officer2).values_list(
            "permission__codename", flat=True
        )
    ) == {"view_case", "change_case"}
    assert signed_in(officer2).get(f"/people/{person.pk}/").status_code == 200


def test_the_schemes_manager_manages_access(manager, officer2, case):
    response = signed_in(manager).post(
        f"/cases/{case.pk}/access/", {"username": "officer2", "permission": "view_case", "reason": "Transfer"}
    )
    assert response.status_code == 302
    assert CaseUserObjectPermission.objects.filter(content_object=case, user=officer2).exists()


@pytest.mark.parametrize("grantee", ["partner", "employer", "analyst", "admin"])
def test_access_is_never_given_to_users_without_case_work(all_roles, officer, case, grantee):
    counts = row_counts()
    response = signed_in(officer).post(
        f"/cases/{case.pk}/access/",
        {"username": all_roles[grantee].username, "permission": "view_case", "reason": "They asked"},
    )
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert "Access can only be given to active police or probation case workers." in content
    assert row_counts() == counts
    assert audited_writes() == 0


def test_access_is_not_given_to_someone_already_in_the_team(officer, probation, case):
    response = signed_in(officer).post(
        f"/cases/{case.pk}/access/", {"username": "probation", "permission": "view_case", "reason": "Cover"}
    )
    assert f"{probation} is in Norwich IOM and already sees this case." in text(response)
    assert not CaseUserObjectPermission.objects.exists()


def test_a_grant_holder_cannot_give_access_onwards(officer2, outsider_manager, case):
    assign_perm("change_case", officer2, case)
    assign_perm("view_case", officer2, case)
    response = signed_in(officer2).post(
        f"/cases/{case.pk}/access/", {"username": outsider_manager.username, "permission": "view_case", "reason": "x"}
    )
    assert response.status_code == 403
    assert not CaseUserObjectPermission.objects.filter(user=outsider_manager).exists()
