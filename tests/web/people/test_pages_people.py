"""The people pages: "My caseload" (/), search, record a new person, the person page, edit, notifications.

``person`` is on a Norwich case led by ``officer`` with ``probation`` as offender manager; ``officer2``
works in Great Yarmouth (same Norfolk scheme, other team); ``outsider_manager`` manages another scheme;
``manager`` manages the Norfolk scheme.
"""

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Case,
    Notification,
    Person,
    Rag,
    Sensitivity,
)
from tests.iom import factories

pytestmark = pytest.mark.django_db

NOT_CASEWORK = ["partner", "coordinator", "employer", "analyst", "admin"]
EVERY_ROLE = ["officer", "officer2", "probation", "manager", "outsider_manager", *NOT_CASEWORK]
PEOPLE_PAGES = {
    "search": "/people/",
    "new": "/people/new/",
    "person": "/people/{person}/",
    "edit": "/people/{person}/edit/",
}


def today() -> datetime.date:
    return timezone.localdate()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page as a reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def audited_writes() -> int:
    """Completed creates and changes in the s.62 log: a refused or failed form must not add one."""
    return AuditEvent.objects.filter(
        outcome=AuditOutcome.DONE, action__in=[AuditAction.CREATE, AuditAction.CHANGE]
    ).count()


def norwich_person(norwich, officer, **person_fields) -> Person:
    """A person on a Norwich case led by ``officer``: visible to the Norwich team and the Norfolk managers."""
    fields = {f"person__{name}": value for name, value in person_fields.items()}
    return factories.CaseFactory(team=norwich, lead_officer=officer, **fields).person


def new_person_data(team=None, **overrides) -> dict:
    data = {
        "pnc_id": "2013/0012345Q",
        "first_name": "Dean",
        "last_name": "Blackthorn",
        "aliases": "Deano",
        "date_of_birth": "1990-05-17",
        "crn": "X123456",
        "gender": "male",
        "ethnicity": "white",
        "district": "norwich",
        "risk_of_serious_harm": "high",
    }
    if team is not None:
        data["team"] = team.pk
    data.update(overrides)
    return data


def edit_data(person, **overrides) -> dict:
    data = {
        "version": person.version,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "aliases": person.aliases,
        "date_of_birth": person.date_of_birth.isoformat(),
        "crn": person.crn or "",
        "gender": person.gender or "",
        "ethnicity": person.ethnicity or "",
        "district": person.district or "",
        "risk_of_serious_harm": person.risk_of_serious_harm or "",
        # An edit is a correction: the page asks why (tests/web/test_corrections.py).
        "reason": "Corrected from the PNC record",
    }
    data.update(overrides)
    return data


@pytest.fixture
def person(case):
    """The shared ``person`` with a name no Faker-named user shares, so "not in the page" checks cannot misfire."""
    Person.objects.filter(pk=case.person_id).update(first_name="Jolyon", last_name="Quarrington-Vesey")
    case.person.refresh_from_db()
    return case.person


# --- Anonymous visitors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/people/",
        "/people/?q=Smith",
        "/people/new/",
        "/people/{person}/",
        "/people/{person}/edit/",
        "/notifications/",
    ],
    ids=["home", "search", "search-query", "new", "person", "edit", "notifications"],
)
def test_anonymous_visitors_are_sent_to_sign_in_with_the_page_to_return_to(client, person, url):
    path = url.format(person=person.pk)
    response = client.get(path)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/sign-in/?next=")
    assert path.split("?")[0] in location
    assert person.last_name not in response.content.decode()


def test_an_anonymous_post_records_nobody_and_edits_nobody(client, person):
    before = Person.objects.count()
    assert client.post("/people/new/", new_person_data()).status_code == 302
    response = client.post(f"/people/{person.pk}/edit/", edit_data(person, last_name="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert Person.objects.count() == before
    assert Person.objects.get(pk=person.pk).last_name == person.last_name
    assert audited_writes() == 0


# --- Roles without case work -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PEOPLE_PAGES))
@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_are_refused_every_people_page(all_roles, person, role, page):
    response = signed_in(all_roles[role]).get(PEOPLE_PAGES[page].format(person=person.pk))
    assert response.status_code == 403
    assert person.last_name not in response.content.decode()
    assert person.pnc_id not in response.content.decode()
    assert not AuditEvent.objects.filter(user=all_roles[role], action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_cannot_record_or_edit_a_person(all_roles, person, role):
    client = signed_in(all_roles[role])
    before = Person.objects.count()
    assert client.post("/people/new/", new_person_data()).status_code == 403
    assert client.post(f"/people/{person.pk}/edit/", edit_data(person, last_name="Changed")).status_code == 403
    assert Person.objects.count() == before
    assert Person.objects.get(pk=person.pk).last_name == person.last_name
    assert audited_writes() == 0


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_get_a_home_page_saying_so_without_case_content(all_roles, person, role):
    response = signed_in(all_roles[role]).get("/", follow=True)
    assert response.status_code == 200
    content = text(response)
    start = {"employer": "/portal/", "partner": "/referrals/", "coordinator": "/gateway/", "analyst": "/gateway/"}
    if role in start:
        assert response.redirect_chain == [(start[role], 302)]
    else:
        assert "Your role does not include case work" in content
    assert person.pnc_id not in content
    assert person.last_name not in content
    assert "My caseload" not in content


# --- Visibility across teams and schemes ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer2", "outsider_manager"])
@pytest.mark.parametrize("page", ["person", "edit"])
def test_users_outside_the_team_and_scheme_get_not_found_for_a_norwich_person(all_roles, person, role, page):
    response = signed_in(all_roles[role]).get(PEOPLE_PAGES[page].format(person=person.pk))
    assert response.status_code == 404
    assert person.last_name not in response.content.decode()
    assert not AuditEvent.objects.filter(user=all_roles[role], action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("role", ["officer2", "outsider_manager"])
def test_users_outside_the_team_and_scheme_cannot_edit_a_norwich_person(all_roles, person, role):
    response = signed_in(all_roles[role]).post(f"/people/{person.pk}/edit/", edit_data(person, last_name="Changed"))
    assert response.status_code == 404
    assert Person.objects.get(pk=person.pk).last_name == person.last_name
    assert audited_writes() == 0


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
@pytest.mark.parametrize("page", ["person", "edit"])
def test_the_team_and_the_schemes_manager_open_a_norwich_person(all_roles, person, role, page):
    response = signed_in(all_roles[role]).get(PEOPLE_PAGES[page].format(person=person.pk))
    assert response.status_code == 200
    assert person.full_name in text(response)


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_the_team_and_the_schemes_manager_can_edit_a_norwich_person(all_roles, person, role):
    response = signed_in(all_roles[role]).post(
        f"/people/{person.pk}/edit/", edit_data(person, district="breckland"), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(f"/people/{person.pk}/", 302)]
    assert f"{person.full_name}'s details were saved." in text(response)
    assert Person.objects.get(pk=person.pk).district == "breckland"
    assert AuditEvent.objects.filter(
        user=all_roles[role], action=AuditAction.CHANGE, outcome=AuditOutcome.DONE, person_id=person.pk
    ).exists()


def test_an_edit_with_a_future_date_of_birth_is_refused_and_writes_nothing(officer, person):
    tomorrow = today() + datetime.timedelta(days=1)
    response = signed_in(officer).post(f"/people/{person.pk}/edit/", edit_data(person, date_of_birth=tomorrow))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "Date of birth must be in the past." in text(response)
    assert Person.objects.get(pk=person.pk).date_of_birth == person.date_of_birth
    assert audited_writes() == 0


# --- Home: "My caseload" ---------------------------------------------------------------------------------------


def test_the_caseload_lists_the_officers_cases_with_their_pathway_rag_summary(officer, case, person):
    factories.AssessmentFactory(case=case, pathway="accommodation", rag=Rag.RED, assessed_by=officer)
    factories.AssessmentFactory(case=case, pathway="health", rag=Rag.GREEN, assessed_by=officer)
    response = signed_in(officer).get("/")
    assert response.status_code == 200
    content = text(response)
    assert "<h1" in content
    assert "My caseload" in content
    assert f'href="/people/{person.pk}/"' in content
    assert f"{person.last_name}, {person.first_name}" in content
    assert person.pnc_id in content
    assert "1 red" in content
    assert "1 green" in content
    assert "5 not assessed" in content


def test_the_caseload_also_lists_cases_the_offender_manager_co_manages(probation, person):
    response = signed_in(probation).get("/")
    assert response.status_code == 200
    assert person.pnc_id in text(response)


def test_the_caseload_shows_my_overdue_and_due_this_week_actions(officer, case):
    factories.ActionFactory(
        case=case, owner=officer, description="Chase the housing form", due_on=today() - datetime.timedelta(days=3)
    )
    factories.ActionFactory(
        case=case, owner=officer, description="Book the GP appointment", due_on=today() + datetime.timedelta(days=2)
    )
    factories.ActionFactory(
        case=case,
        owner=officer,
        description="Cancelled long ago",
        status="cancelled",
        due_on=today() - datetime.timedelta(days=9),
    )
    content = text(signed_in(officer).get("/"))
    overdue, _, rest = content.partition("Due in the next 7 days")
    assert "Chase the housing form" in overdue
    assert "Book the GP appointment" in rest
    assert "Cancelled long ago" not in content


def test_the_caseload_shows_recent_notes_with_the_restricted_tag(officer, case):
    factories.NoteFactory(case=case, author=officer, text="Seen at the hostel", sensitivity=Sensitivity.RESTRICTED)
    content = text(signed_in(officer).get("/"))
    assert "Recent notes on my cases" in content
    assert "Seen at the hostel" in content
    assert '<strong class="govuk-tag govuk-tag--purple">Restricted</strong>' in content


def test_the_caseload_of_an_officer_without_cases_says_so(officer2, person):
    response = signed_in(officer2).get("/")
    assert response.status_code == 200
    content = text(response)
    assert "No cases name you as lead officer or offender manager." in content
    assert person.pnc_id not in content


def test_the_caseload_never_lists_another_teams_cases(officer2, yarmouth, person):
    theirs = factories.CaseFactory(team=yarmouth, lead_officer=officer2).person
    content = text(signed_in(officer2).get("/"))
    assert theirs.pnc_id in content
    assert person.pnc_id not in content


def test_the_overdue_count_counts_every_overdue_action_not_just_those_listed(officer, case):
    for number in range(25):
        factories.ActionFactory(case=case, owner=officer, due_on=today() - datetime.timedelta(days=1 + number))
    content = text(signed_in(officer).get("/"))
    assert 'Overdue actions <span class="govuk-tag govuk-tag--red">25</span>' in content


def test_every_case_on_a_long_caseload_can_be_reached(officer, norwich):
    """A caseload is a list like any other: past one page it paginates rather than dropping cases."""
    pnc_ids = {factories.CaseFactory(team=norwich, lead_officer=officer).person.pnc_id for _ in range(101)}
    client = signed_in(officer)
    shown, page = set(), 1
    while page <= 10:
        content = text(client.get("/", {"page": page}))
        shown |= {pnc for pnc in pnc_ids if pnc in content}
        if f'href="?page={page + 1}"' not in content:
            break
        page += 1
    assert shown == pnc_ids


def test_opening_the_caseload_is_recorded_as_a_listing(officer, case):
    signed_in(officer).get("/")
    event = AuditEvent.objects.get(user=officer, action=AuditAction.LIST)
    assert event.details["resource"] == "caseload"


# --- Notifications ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_signed_in_role_has_a_notifications_page(all_roles, role):
    response = signed_in(all_roles[role]).get("/notifications/")
    assert response.status_code == 200
    assert "You have no notifications." in text(response)


def test_notifications_show_only_my_own_and_can_be_marked_read(officer, officer2):
    Notification.objects.create(user=officer, kind="action_overdue", title="Action overdue by 2 days", link="/")
    Notification.objects.create(user=officer2, kind="action_overdue", title="Someone else's reminder")
    client = signed_in(officer)
    content = text(client.get("/notifications/"))
    assert "Action overdue by 2 days" in content
    assert "Someone else's reminder" not in content
    assert '<strong class="govuk-tag">New</strong>' in content

    response = client.post("/notifications/", follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    assert "1 notification marked as read." in text(response)
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=officer2, read_at__isnull=True).count() == 1


# --- Search --------------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(norwich, officer):
    return norwich_person(
        norwich,
        officer,
        first_name="Kieran",
        last_name="Quennell",
        crn="Q654321",
        aliases="Kez Marlow\nK Q",
    )


@pytest.mark.parametrize(
    "query",
    ["{pnc}", "{pnc_lower}", "Q654321", "q654321", "Quennell", "quenn", "Kieran Quennell", "Kez Marlow", "marlow"],
    ids=[
        "pnc",
        "pnc-lowercase",
        "crn",
        "crn-lowercase",
        "last-name",
        "part-of-last-name",
        "full-name",
        "alias",
        "alias-part",
    ],
)
def test_search_finds_a_person_by_pnc_id_crn_name_or_alias(officer, searchable, query):
    q = query.format(pnc=searchable.pnc_id, pnc_lower=searchable.pnc_id.lower())
    response = signed_in(officer).get("/people/", {"q": q})
    assert response.status_code == 200
    assert [person.pk for person in response.context["page_obj"]] == [searchable.pk]
    content = text(response)
    assert f'href="/people/{searchable.pk}/"' in content
    assert "1 person match" in content


def test_search_never_lists_people_outside_the_users_visibility(
    officer, officer2, outsider_manager, yarmouth, searchable
):
    theirs = factories.CaseFactory(team=yarmouth, lead_officer=officer2, person__last_name="Quennell").person

    seen_by_officer = signed_in(officer).get("/people/", {"q": "Quennell"}).context["page_obj"]
    assert [p.pk for p in seen_by_officer] == [searchable.pk]

    seen_by_officer2 = signed_in(officer2).get("/people/", {"q": "Quennell"}).context["page_obj"]
    assert [p.pk for p in seen_by_officer2] == [theirs.pk]

    outsider = signed_in(outsider_manager).get("/people/", {"q": "Quennell"})
    assert list(outsider.context["page_obj"]) == []
    assert searchable.pnc_id not in text(outsider)
    assert theirs.pnc_id not in text(outsider)


def test_search_by_an_exact_pnc_id_outside_visibility_finds_nobody(officer2, searchable):
    response = signed_in(officer2).get("/people/", {"q": searchable.pnc_id})
    assert list(response.context["page_obj"]) == []
    assert searchable.last_name not in text(response)


def test_the_schemes_manager_finds_people_in_every_team_of_the_scheme(manager, officer2, yarmouth, searchable):
    theirs = factories.CaseFactory(team=yarmouth, lead_officer=officer2, person__last_name="Quennell").person
    found = signed_in(manager).get("/people/", {"q": "Quennell"}).context["page_obj"]
    assert {p.pk for p in found} == {searchable.pk, theirs.pk}


def test_search_results_are_paginated_25_to_a_page(norwich, officer):
    for number in range(30):
        norwich_person(norwich, officer, first_name=f"P{number:02d}", last_name="Zanderfield")
    client = signed_in(officer)

    first = client.get("/people/", {"q": "Zanderfield"})
    assert [p.first_name for p in first.context["page_obj"]] == [f"P{n:02d}" for n in range(25)]
    content = text(first)
    assert "30 people match" in content
    assert 'href="?q=Zanderfield&page=2"' in content

    second = client.get("/people/", {"q": "Zanderfield", "page": 2})
    assert [p.first_name for p in second.context["page_obj"]] == [f"P{n:02d}" for n in range(25, 30)]
    assert 'href="?q=Zanderfield&page=1"' in text(second)


def test_an_empty_search_result_says_nothing_matched(officer, searchable):
    response = signed_in(officer).get("/people/", {"q": "Nobodyhere"})
    assert response.status_code == 200
    assert "No person you can see matches “Nobodyhere”." in text(response)
    assert searchable.last_name not in text(response)


def test_a_search_is_recorded_with_its_query(officer, searchable):
    signed_in(officer).get("/people/", {"q": "Quennell"})
    event = AuditEvent.objects.get(user=officer, action=AuditAction.LIST)
    assert event.details == {"resource": "people", "query": {"q": "Quennell"}}
    assert event.outcome == AuditOutcome.DONE


# --- Record a new person --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_case_workers_get_the_new_person_form(all_roles, role):
    response = signed_in(all_roles[role]).get("/people/new/")
    assert response.status_code == 200
    assert "Record a new person" in text(response)


def test_an_officer_records_a_person_and_a_case_opens_in_their_team(officer, norwich):
    response = signed_in(officer).post("/people/new/", new_person_data(team=norwich), follow=True)
    person = Person.objects.get(pnc_id="2013/0012345Q")
    assert response.redirect_chain == [(f"/people/{person.pk}/", 302)]
    assert "Dean Blackthorn was recorded." in text(response)
    assert person.crn == "X123456"
    case = Case.objects.get(person=person)
    assert (case.team, case.lead_officer, case.status) == (norwich, officer, "active")
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.CREATE, object_type="person").count() == 1
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.CREATE, object_type="case").count() == 1


def test_an_officer_in_one_team_need_not_choose_it(officer, norwich):
    data = new_person_data()
    signed_in(officer).post("/people/new/", data)
    assert Case.objects.get(person__pnc_id="2013/0012345Q").team == norwich


def test_an_offender_manager_records_a_person_and_co_manages_the_new_case(probation, norwich):
    signed_in(probation).post("/people/new/", new_person_data(team=norwich))
    case = Case.objects.get(person__pnc_id="2013/0012345Q")
    assert (case.team, case.offender_manager, case.lead_officer) == (norwich, probation, None)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pnc_id": "2013/0012345A"}, "pnc_id", "The check letter of PNC ID 2013/0012345A should be Q."),
        ({"pnc_id": "13/12345"}, "pnc_id", "Enter a PNC ID as YYYY/NNNNNNNL"),
        ({"date_of_birth": "{tomorrow}"}, "date_of_birth", "Date of birth must be in the past."),
        ({"date_of_birth": "not a date"}, "date_of_birth", "as a real date"),
        ({"first_name": ""}, "first_name", "Enter first name."),
        ({"pnc_id": ""}, "pnc_id", "Enter PNC ID."),
        ({"crn": "12345"}, "crn", "Enter a probation CRN as one capital letter and six digits"),
    ],
    ids=[
        "pnc-check-letter",
        "pnc-format",
        "future-date-of-birth",
        "unreal-date",
        "no-first-name",
        "no-pnc-id",
        "bad-crn",
    ],
)
def test_a_new_person_with_bad_input_is_refused_with_the_error_summary_and_nothing_written(
    officer, norwich, overrides, field, message
):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    data = new_person_data(team=norwich, **{k: v.format(tomorrow=tomorrow) for k, v in overrides.items()})
    people, cases = Person.objects.count(), Case.objects.count()
    response = signed_in(officer).post("/people/new/", data)
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f'href="#id_{field}"' in content
    assert message in content
    assert (Person.objects.count(), Case.objects.count()) == (people, cases)
    assert audited_writes() == 0


def test_a_pnc_id_already_recorded_is_refused(officer, norwich, person):
    response = signed_in(officer).post("/people/new/", new_person_data(team=norwich, pnc_id=person.pnc_id, crn=""))
    assert "There is a problem" in text(response)
    assert Person.objects.filter(pnc_id=person.pnc_id).count() == 1
    assert audited_writes() == 0


def test_an_officer_cannot_record_a_person_into_another_team(officer, yarmouth):
    response = signed_in(officer).post("/people/new/", new_person_data(team=yarmouth))
    assert "There is a problem" in text(response)
    assert not Person.objects.filter(pnc_id="2013/0012345Q").exists()
    assert not Case.objects.filter(team=yarmouth).exists()
    assert audited_writes() == 0


# --- The person page ----------------------------------------------------------------------------------------------


def test_the_person_page_shows_the_summary_and_the_case_and_records_the_view(officer, case, person):
    factories.ActionFactory(case=case, owner=officer, description="Visit the Julian Hospital")
    factories.NoteFactory(case=case, author=officer, text="Met at the probation office")
    response = signed_in(officer).get(f"/people/{person.pk}/")
    assert response.status_code == 200
    content = text(response)
    assert person.full_name in content
    assert f"PNC ID {person.pnc_id}" in content
    assert f'id="case-{case.pk}"' in content
    assert "Visit the Julian Hospital" in content
    assert "Met at the probation office" in content
    view = AuditEvent.objects.get(user=officer, action=AuditAction.VIEW)
    assert (view.person_id, view.object_type, view.object_id, view.outcome) == (
        person.pk,
        "person",
        str(person.pk),
        AuditOutcome.DONE,
    )


@pytest.fixture
def restricted_note(case, officer):
    return factories.NoteFactory(
        case=case, author=officer, text="Intelligence from the drugs team", sensitivity=Sensitivity.RESTRICTED
    )


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_restricted_notes_are_shown_with_their_tag_to_police_and_probation_who_see_the_case(
    all_roles, person, restricted_note, role
):
    content = text(signed_in(all_roles[role]).get(f"/people/{person.pk}/"))
    assert "Intelligence from the drugs team" in content
    assert '<strong class="govuk-tag govuk-tag--purple">Restricted</strong>' in content


def test_a_colleague_with_a_grant_sees_restricted_notes_but_cannot_change_the_case(
    officer, officer2, case, person, restricted_note
):
    assign_perm("view_case", officer2, case)
    content = text(signed_in(officer2).get(f"/people/{person.pk}/"))
    assert "Intelligence from the drugs team" in content
    assert f'href="/cases/{case.pk}/notes/new/"' not in content
    assert f'href="/cases/{case.pk}/allocate/"' not in content


def test_restricted_notes_are_never_shown_outside_the_case(officer2, outsider_manager, person, restricted_note):
    for user in (officer2, outsider_manager):
        response = signed_in(user).get(f"/people/{person.pk}/")
        assert response.status_code == 404
        assert "Intelligence from the drugs team" not in text(response)


def test_the_schemes_manager_sees_who_has_looked_at_the_person(officer, manager, person):
    signed_in(officer).get(f"/people/{person.pk}/")
    content = text(signed_in(manager).get(f"/people/{person.pk}/"))
    assert "Who has looked at this person" in content
    assert f'href="/audit/?user=officer&person={person.pk}">officer</a>' in content


def test_an_officer_does_not_see_who_has_looked_at_the_person(officer, manager, person):
    signed_in(manager).get(f"/people/{person.pk}/")
    content = text(signed_in(officer).get(f"/people/{person.pk}/"))
    assert "Who has looked at this person" not in content
    assert "?user=manager" not in content


def test_the_person_page_offers_the_team_its_change_links(officer, case, person):
    content = text(signed_in(officer).get(f"/people/{person.pk}/"))
    for href in (
        f"/people/{person.pk}/edit/",
        f"/cases/{case.pk}/allocate/",
        f"/cases/{case.pk}/actions/new/",
        f"/cases/{case.pk}/notes/new/",
        f"/cases/{case.pk}/assess/?pathway=accommodation",
    ):
        assert f'href="{href}"' in content


def test_an_unknown_person_is_not_found(officer):
    assert signed_in(officer).get("/people/999999/").status_code == 404
