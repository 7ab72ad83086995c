"""The cohort pages: the list, the members page with filters, and the panel's adoption and exit decisions.

``person`` is on a Norwich case led by ``officer``; ``officer2`` works in Great Yarmouth (same Norfolk
scheme, other team); ``cohort`` is the Norfolk scheme's *Fixed* cohort.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from iom.models import AuditAction, AuditEvent, AuditOutcome, District, Membership
from tests.iom import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CASEWORK = ["officer", "officer2", "probation", "manager"]
NOT_CASEWORK = ["partner", "coordinator", "employer", "analyst", "admin"]


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


# --- Helpers ------------------------------------------------------------------------------------------------------


class _PageOutline(HTMLParser):
    """Title, headings, form controls and label targets: what these tests check on every page."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1_count = 0
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()
        self.links: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, **attrs})
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    @property
    def visible_controls(self) -> list[dict]:
        return [c for c in self.controls if c.get("type") not in ("hidden", "submit", "button")]


def outline(response) -> _PageOutline:
    parser = _PageOutline()
    parser.feed(response.content.decode())
    return parser


def assert_well_formed(response) -> _PageOutline:
    """A <title>, exactly one <h1>, and a <label for=...> for every visible form control."""
    page = outline(response)
    assert page.title.strip().endswith("IOM Partnership Tracker")
    assert page.title.strip() != "\N{EN DASH} IOM Partnership Tracker"
    assert page.h1_count == 1
    for control in page.visible_controls:
        assert control.get("id"), control
        assert control["id"] in page.label_targets, control
    return page


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audit_writes() -> int:
    """Audit rows that record a completed write (the refusals and reads are counted separately)."""
    return AuditEvent.objects.filter(
        action__in=[AuditAction.CREATE, AuditAction.CHANGE], outcome=AuditOutcome.DONE
    ).count()


def norwich_person(norwich, **person):
    return factories.CaseFactory(team=norwich, person=factories.PersonFactory(**person)).person


@pytest.fixture
def member(person, cohort, manager):
    return factories.MembershipFactory(
        person=person, cohort=cohort, adopted_on=days_ago(100), panel_date=days_ago(105), decided_by=manager
    )


@pytest.fixture
def yarmouth_member(yarmouth, cohort):
    someone = factories.CaseFactory(team=yarmouth, person=factories.PersonFactory(last_name="Yarmouthson")).person
    return factories.MembershipFactory(person=someone, cohort=cohort, adopted_on=days_ago(50))


# --- /cohorts/ ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", CASEWORK)
def test_case_workers_see_their_schemes_cohorts_with_current_member_counts(all_roles, cohort, member, role):
    factories.MembershipFactory(cohort=cohort, adopted_on=days_ago(300))  # a second current member
    factories.MembershipFactory(cohort=cohort, adopted_on=days_ago(300), exited_on=days_ago(10), exit_reason="Moved")
    response = signed_in(all_roles[role]).get("/cohorts/")
    assert response.status_code == 200
    page = assert_well_formed(response)
    content = response.content.decode()
    assert "Fixed" in content
    assert "/cohorts/fixed/" in page.links
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in content
    assert "govuk-tag" in content


def test_the_cohort_list_leaves_out_other_schemes_and_shows_closed_cohorts_as_closed(manager, cohort, suffolk_team):
    factories.CohortFactory(slug="suffolk-fixed", name="Suffolk Fixed", scheme=suffolk_team.scheme)
    factories.CohortFactory(slug="old-flex", name="Old Flex", scheme=cohort.scheme, active=False)
    content = signed_in(manager).get("/cohorts/").content.decode()
    assert "Suffolk Fixed" not in content
    assert "Old Flex" in content
    assert "Closed" in content


def test_the_cohort_list_says_so_when_there_are_no_cohorts(officer):
    response = signed_in(officer).get("/cohorts/")
    assert response.status_code == 200
    assert "There are no cohorts in your scheme yet." in response.content.decode()
    assert_well_formed(response)


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_are_refused_the_cohort_list(all_roles, cohort, role):
    response = signed_in(all_roles[role]).get("/cohorts/")
    assert response.status_code == 403
    assert "Fixed" not in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/cohorts/", "/cohorts/fixed/", "/cohorts/fixed/adopt/", "/memberships/{member}/exit/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, member, url):
    response = client.get(url.format(member=member.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_an_anonymous_post_records_nothing(client, person, cohort, member):
    adopt = client.post("/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1).isoformat()})
    leave = client.post(f"/memberships/{member.pk}/exit/", {"exited_on": days_ago(1), "exit_reason": "Moved"})
    assert adopt.status_code == leave.status_code == 302
    member.refresh_from_db()
    assert member.exited_on is None
    assert Membership.objects.count() == 1


# --- /cohorts/<slug>/ -----------------------------------------------------------------------------------------------


def test_officer_sees_the_members_they_may_see_with_the_panel_details(officer, member):
    response = signed_in(officer).get("/cohorts/fixed/")
    assert response.status_code == 200
    page = assert_well_formed(response)
    content = response.content.decode()
    assert '<h1 class="govuk-heading-l">Fixed</h1>' in content
    assert escape(member.person.full_name) in content
    assert member.person.pnc_id in content
    assert f"/people/{member.person_id}/" in page.links
    assert escape(str(member.decided_by)) in content
    assert f"/memberships/{member.pk}/exit/" in page.links
    assert "/cohorts/fixed/adopt/" in page.links


def test_the_members_list_is_audited_with_its_filters(officer, member):
    signed_in(officer).get("/cohorts/fixed/?q=Smith")
    event = AuditEvent.objects.get(user=officer, action=AuditAction.LIST)
    assert event.details["resource"] == "cohort_members"
    assert event.details["query"]["cohort"] == "fixed"
    assert event.details["query"]["q"] == "Smith"


def test_officer_from_another_team_does_not_see_the_norwich_member(officer2, member, yarmouth_member):
    response = signed_in(officer2).get("/cohorts/fixed/")
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(member.person.full_name) not in content
    assert member.person.pnc_id not in content
    assert "Yarmouthson" in content


def test_manager_sees_every_member_in_the_scheme(manager, member, yarmouth_member):
    content = signed_in(manager).get("/cohorts/fixed/").content.decode()
    assert member.person.pnc_id in content
    assert yarmouth_member.person.pnc_id in content


def test_offender_managers_see_members_but_no_panel_decision_links(probation, member):
    response = signed_in(probation).get("/cohorts/fixed/")
    assert response.status_code == 200
    page = outline(response)
    assert member.person.pnc_id in response.content.decode()
    assert f"/memberships/{member.pk}/exit/" not in page.links
    assert "/cohorts/fixed/adopt/" not in page.links


def test_a_cohort_of_another_scheme_is_not_found(outsider_manager, member):
    response = signed_in(outsider_manager).get("/cohorts/fixed/")
    assert response.status_code == 404
    assert member.person.pnc_id not in response.content.decode()


def test_an_unknown_cohort_is_not_found(officer):
    assert signed_in(officer).get("/cohorts/no-such-cohort/").status_code == 404


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_are_refused_the_members_page(all_roles, member, role):
    response = signed_in(all_roles[role]).get("/cohorts/fixed/")
    assert response.status_code == 403
    assert member.person.pnc_id not in response.content.decode()


def test_members_are_filtered_by_status(manager, norwich, cohort, member):
    former = factories.MembershipFactory(
        person=norwich_person(norwich, last_name="Formerly"),
        cohort=cohort,
        adopted_on=days_ago(400),
        exited_on=days_ago(20),
        exit_reason="Sustained desistance",
    )
    client = signed_in(manager)
    current = client.get("/cohorts/fixed/").content.decode()
    assert member.person.pnc_id in current
    assert former.person.pnc_id not in current
    exited = client.get("/cohorts/fixed/?status=exited").content.decode()
    assert member.person.pnc_id not in exited
    assert former.person.pnc_id in exited
    assert "Sustained desistance" in exited
    everyone = client.get("/cohorts/fixed/?status=all").content.decode()
    assert member.person.pnc_id in everyone
    assert former.person.pnc_id in everyone


def test_members_are_filtered_by_district_and_searched_by_name_or_pnc_id(manager, norwich, cohort):
    alice = factories.MembershipFactory(
        person=norwich_person(norwich, first_name="Alice", last_name="Broad", district=District.BROADLAND),
        cohort=cohort,
    )
    bob = factories.MembershipFactory(
        person=norwich_person(norwich, first_name="Bob", last_name="Norris", district=District.NORWICH), cohort=cohort
    )
    client = signed_in(manager)
    by_district = client.get("/cohorts/fixed/?district=broadland").content.decode()
    assert alice.person.pnc_id in by_district
    assert bob.person.pnc_id not in by_district
    by_name = client.get("/cohorts/fixed/?q=norris").content.decode()
    assert bob.person.pnc_id in by_name
    assert alice.person.pnc_id not in by_name
    by_pnc = client.get(f"/cohorts/fixed/?q={alice.person.pnc_id}").content.decode()
    assert escape(alice.person.full_name) in by_pnc
    assert bob.person.pnc_id not in by_pnc
    nothing = client.get("/cohorts/fixed/?q=Nobody-by-this-name").content.decode()
    assert "No members you can see match these filters." in nothing


def test_an_empty_cohort_says_so(officer, cohort):
    response = signed_in(officer).get("/cohorts/fixed/")
    assert "This cohort has no current members you can see." in response.content.decode()


def test_a_malformed_filter_shows_the_error_summary_and_no_members(manager, member):
    response = signed_in(manager).get("/cohorts/fixed/?status=bogus&district=atlantis")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_status"' in content
    assert 'href="#id_district"' in content
    assert member.person.pnc_id not in content
    assert outline(response).title.startswith("Error: ")


def test_members_are_paginated(manager, norwich, cohort):
    for _ in range(30):
        factories.MembershipFactory(person=norwich_person(norwich), cohort=cohort)
    client = signed_in(manager)
    first = client.get("/cohorts/fixed/?status=current")
    assert first.content.decode().count('/exit/"') == 25
    assert 'href="?status=current&amp;page=2"' in first.content.decode()
    second = client.get("/cohorts/fixed/?status=current&page=2")
    assert second.content.decode().count('/exit/"') == 5
    assert_well_formed(second)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_members_page_query_count_does_not_grow_with_members(
    manager, norwich, cohort, django_assert_max_num_queries
):
    client = signed_in(manager)
    for _ in range(5):
        factories.MembershipFactory(person=norwich_person(norwich), cohort=cohort, decided_by=manager)
    few = _count_queries(client, "/cohorts/fixed/?status=all")
    for _ in range(45):
        factories.MembershipFactory(
            person=norwich_person(norwich),
            cohort=cohort,
            decided_by=manager,
            adopted_on=days_ago(300),
            exited_on=days_ago(5),
            exit_reason="Moved away",
            exit_decided_by=manager,
        )
    with django_assert_max_num_queries(few):
        client.get("/cohorts/fixed/?status=all")
    assert _count_queries(client, "/cohorts/fixed/?status=all") == few
    assert few <= 12


def test_the_cohort_list_query_count_does_not_grow_with_cohorts(manager, norfolk, django_assert_max_num_queries):
    client = signed_in(manager)
    for _ in range(5):
        factories.MembershipFactory(cohort=factories.CohortFactory(scheme=norfolk))
    few = _count_queries(client, "/cohorts/")
    for _ in range(45):
        factories.MembershipFactory(cohort=factories.CohortFactory(scheme=norfolk))
    with django_assert_max_num_queries(few):
        client.get("/cohorts/")


# --- /cohorts/<slug>/adopt/ -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_panel_roles_get_the_adoption_form(all_roles, cohort, role):
    response = signed_in(all_roles[role]).get("/cohorts/fixed/adopt/")
    assert response.status_code == 200
    page = assert_well_formed(response)
    names = {control.get("name") for control in page.visible_controls}
    assert names == {"pnc_id", "adopted_on", "panel_date"}
    assert {c.get("type") for c in page.visible_controls if c["name"] != "pnc_id"} == {"date"}
    assert 'id="main-form"' in response.content.decode()


@pytest.mark.parametrize("role", ["probation", *NOT_CASEWORK])
def test_other_roles_are_refused_the_adoption_form(all_roles, cohort, role):
    assert signed_in(all_roles[role]).get("/cohorts/fixed/adopt/").status_code == 403


def test_the_adoption_form_of_another_schemes_cohort_is_not_found(outsider_manager, cohort):
    assert signed_in(outsider_manager).get("/cohorts/fixed/adopt/").status_code == 404


def test_officer_records_an_adoption_and_sees_the_confirmation(officer, person, cohort):
    response = signed_in(officer).post(
        "/cohorts/fixed/adopt/",
        {"pnc_id": person.pnc_id.lower(), "adopted_on": days_ago(10).isoformat(), "panel_date": days_ago(12)},
        follow=True,
    )
    assert response.redirect_chain == [("/cohorts/fixed/", 302)]
    content = response.content.decode()
    assert "govuk-notification-banner--success" in content
    assert f"{escape(person.full_name)} was adopted into Fixed." in content
    membership = Membership.objects.get(person=person, cohort=cohort)
    assert (membership.adopted_on, membership.panel_date, membership.decided_by) == (
        days_ago(10),
        days_ago(12),
        officer,
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="membership")
    assert (event.user, event.person_id, event.object_id) == (officer, person.pk, str(membership.pk))
    assert event.changes["adopted_on"] == [None, days_ago(10).isoformat()]
    assert person.pnc_id in content


def _assert_adoption_refused(response, field_id: str, message: str) -> None:
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'<a href="#{field_id}">{message}' in content
    assert outline(response).title.startswith("Error: ")
    assert_well_formed(response)


@pytest.mark.parametrize(
    "pnc_id",
    ["2013/0012345Q", "2013/0012345A"],
    ids=["well-formed-but-unknown", "wrong-check-letter"],
)
def test_an_unknown_pnc_id_is_refused_without_writing(officer, cohort, pnc_id):
    response = signed_in(officer).post("/cohorts/fixed/adopt/", {"pnc_id": pnc_id, "adopted_on": days_ago(1)})
    _assert_adoption_refused(response, "id_pnc_id", "No person you can see has that PNC ID")
    assert not Membership.objects.exists()
    assert audit_writes() == 0


def test_the_pnc_id_of_someone_the_officer_cannot_see_looks_unknown(officer2, person, cohort):
    response = signed_in(officer2).post("/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1)})
    _assert_adoption_refused(response, "id_pnc_id", "No person you can see has that PNC ID")
    assert escape(person.full_name) not in response.content.decode()
    assert not Membership.objects.exists()
    assert audit_writes() == 0
    assert not AuditEvent.objects.filter(person_id=person.pk).exists()


def test_a_malformed_pnc_id_and_a_missing_date_are_both_reported(officer, cohort):
    response = signed_in(officer).post("/cohorts/fixed/adopt/", {"pnc_id": "12345", "adopted_on": ""})
    _assert_adoption_refused(response, "id_pnc_id", "Enter a PNC ID as YYYY/NNNNNNNL")
    assert '<a href="#id_adopted_on">Enter the adoption date</a>' in response.content.decode()
    assert not Membership.objects.exists()


def test_a_future_adoption_date_is_refused_without_writing(officer, person, cohort):
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = signed_in(officer).post("/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": tomorrow})
    _assert_adoption_refused(response, "id_adopted_on", "The adoption date cannot be in the future.")
    assert not Membership.objects.exists()
    assert audit_writes() == 0


def test_a_future_panel_date_is_refused_without_writing(officer, person, cohort):
    response = signed_in(officer).post(
        "/cohorts/fixed/adopt/",
        {"pnc_id": person.pnc_id, "adopted_on": days_ago(1), "panel_date": TODAY + datetime.timedelta(days=3)},
    )
    _assert_adoption_refused(response, "id_panel_date", "The panel date cannot be in the future.")
    assert not Membership.objects.exists()


def test_adopting_a_current_member_again_is_reported_on_the_pnc_field(officer, person, cohort, member):
    response = signed_in(officer).post("/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1)})
    _assert_adoption_refused(response, "id_pnc_id", f"{escape(person.full_name)} is already a member of Fixed.")
    assert Membership.objects.count() == 1
    assert audit_writes() == 0


def test_a_closed_cohort_takes_no_adoptions(manager, person, norfolk):
    factories.CohortFactory(slug="old-flex", name="Old Flex", scheme=norfolk, active=False)
    response = signed_in(manager).post("/cohorts/old-flex/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1)})
    assert response.status_code == 200
    assert '<a href="#main-form">Old Flex is closed to new adoptions.</a>' in response.content.decode()
    assert not Membership.objects.exists()


def test_an_offender_manager_cannot_adopt_and_the_refusal_is_audited(probation, person, cohort):
    response = signed_in(probation).post("/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1)})
    assert response.status_code == 403
    assert not Membership.objects.exists()
    assert audit_writes() == 0
    refusal = AuditEvent.objects.get(user=probation, outcome=AuditOutcome.REFUSED)
    assert refusal.details["attempted"] == "adopt"


def test_an_offender_managers_invalid_adoption_is_still_refused(probation, cohort):
    assert signed_in(probation).post("/cohorts/fixed/adopt/", {"pnc_id": "", "adopted_on": ""}).status_code == 403


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_cannot_post_an_adoption(all_roles, person, cohort, role):
    response = signed_in(all_roles[role]).post(
        "/cohorts/fixed/adopt/", {"pnc_id": person.pnc_id, "adopted_on": days_ago(1)}
    )
    assert response.status_code == 403
    assert not Membership.objects.exists()


# --- /memberships/<pk>/exit/ ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_panel_roles_get_the_exit_form_for_a_member_they_see(all_roles, member, role):
    response = signed_in(all_roles[role]).get(f"/memberships/{member.pk}/exit/")
    assert response.status_code == 200
    page = assert_well_formed(response)
    content = response.content.decode()
    assert "govuk-summary-list" in content
    assert member.person.pnc_id in content
    assert {c.get("name") for c in page.visible_controls} == {"exited_on", "exit_reason", "panel_date"}
    assert AuditEvent.objects.filter(
        user=all_roles[role], action=AuditAction.VIEW, object_type="membership", person_id=member.person_id
    ).exists()


def test_an_officer_from_another_team_gets_not_found_for_the_exit_form(officer2, member):
    assert signed_in(officer2).get(f"/memberships/{member.pk}/exit/").status_code == 404
    response = signed_in(officer2).post(
        f"/memberships/{member.pk}/exit/", {"exited_on": days_ago(1), "exit_reason": "Moved"}
    )
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.exited_on is None


def test_a_manager_of_another_scheme_gets_not_found_for_the_exit_form(outsider_manager, member):
    assert signed_in(outsider_manager).get(f"/memberships/{member.pk}/exit/").status_code == 404


def test_an_unknown_membership_is_not_found(officer):
    assert signed_in(officer).get("/memberships/999999/exit/").status_code == 404


@pytest.mark.parametrize("role", ["probation", *NOT_CASEWORK])
def test_other_roles_are_refused_the_exit_form(all_roles, member, role):
    client = signed_in(all_roles[role])
    assert client.get(f"/memberships/{member.pk}/exit/").status_code == 403
    assert client.post(f"/memberships/{member.pk}/exit/", {"exited_on": "", "exit_reason": ""}).status_code == 403
    response = client.post(f"/memberships/{member.pk}/exit/", {"exited_on": days_ago(1), "exit_reason": "Moved"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.exited_on is None


def test_officer_records_an_exit_and_sees_the_confirmation(officer, member):
    response = signed_in(officer).post(
        f"/memberships/{member.pk}/exit/",
        {"exited_on": days_ago(3).isoformat(), "exit_reason": "  Sustained desistance  ", "panel_date": days_ago(4)},
        follow=True,
    )
    assert response.redirect_chain == [("/cohorts/fixed/", 302)]
    content = response.content.decode()
    assert "govuk-notification-banner--success" in content
    assert escape(f"{member.person.full_name}'s exit from Fixed was recorded.") in content
    member.refresh_from_db()
    assert (member.exited_on, member.exit_reason, member.exit_panel_date, member.exit_decided_by) == (
        days_ago(3),
        "Sustained desistance",
        days_ago(4),
        officer,
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="membership")
    assert event.user == officer
    assert event.changes["exited_on"] == [None, days_ago(3).isoformat()]
    assert member.person.pnc_id not in content  # the default filter shows current members only


def _assert_exit_refused(response, member, errors: dict[str, str]) -> None:
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    for field_id, message in errors.items():
        assert f'<a href="#{field_id}">{message}</a>' in content
    assert outline(response).title.startswith("Error: ")
    assert_well_formed(response)
    member.refresh_from_db()
    assert member.exited_on is None
    assert audit_writes() == 0


def test_an_exit_before_the_adoption_and_without_a_reason_is_refused_with_both_errors(officer, member):
    response = signed_in(officer).post(
        f"/memberships/{member.pk}/exit/", {"exited_on": days_ago(200), "exit_reason": "   "}
    )
    _assert_exit_refused(
        response,
        member,
        {
            "id_exited_on": f"The exit date cannot be before the adoption date ({member.adopted_on}).",
            "id_exit_reason": "Enter the reason the panel gave for the exit.",
        },
    )


def test_a_future_exit_date_is_refused(officer, member):
    response = signed_in(officer).post(
        f"/memberships/{member.pk}/exit/",
        {"exited_on": TODAY + datetime.timedelta(days=1), "exit_reason": "Custody"},
    )
    _assert_exit_refused(response, member, {"id_exited_on": "The exit date cannot be in the future."})


def test_a_missing_or_impossible_exit_date_is_refused(officer, member):
    client = signed_in(officer)
    missing = client.post(f"/memberships/{member.pk}/exit/", {"exited_on": "", "exit_reason": "Custody"})
    _assert_exit_refused(missing, member, {"id_exited_on": "Enter the exit date"})
    impossible = client.post(f"/memberships/{member.pk}/exit/", {"exited_on": "2024-02-30", "exit_reason": "Custody"})
    _assert_exit_refused(
        impossible, member, {"id_exited_on": "Enter the exit date as a real date, for example 2024-03-27"}
    )


def test_an_ended_membership_cannot_be_exited_again(officer, cohort, norwich):
    ended = factories.MembershipFactory(
        person=norwich_person(norwich),
        cohort=cohort,
        adopted_on=days_ago(90),
        exited_on=days_ago(9),
        exit_reason="Moved",
    )
    client = signed_in(officer)
    page = client.get(f"/memberships/{ended.pk}/exit/")
    assert page.status_code == 200
    assert "This membership has already ended." in page.content.decode()
    assert_well_formed(page)
    again = client.post(f"/memberships/{ended.pk}/exit/", {"exited_on": days_ago(1), "exit_reason": "Again"})
    assert again.status_code == 200
    assert f"This membership already ended on {days_ago(9)}." in again.content.decode()
    ended.refresh_from_db()
    assert (ended.exited_on, ended.exit_reason) == (days_ago(9), "Moved")
