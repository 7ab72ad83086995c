"""Who may open the core pages (sign-in, home, person, case access, notifications) and what they see.

``case`` is a Norwich case led by ``officer``; ``officer2`` works in Yarmouth (same scheme, other team).
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from iom.models import AuditAction, AuditEvent, CaseUserObjectPermission

pytestmark = pytest.mark.django_db


class _PageOutline(HTMLParser):
    """The parts of a page these tests care about: title, headings, form inputs and their labels."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1_count = 0
        self.inputs: list[dict] = []
        self.label_targets: set[str] = set()
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag in ("input", "textarea", "select"):
            self.inputs.append(attrs)
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def outline(response) -> _PageOutline:
    parser = _PageOutline()
    parser.feed(response.content.decode())
    return parser


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _grant_count(case, user) -> int:
    return CaseUserObjectPermission.objects.filter(content_object=case, user=user).count()


# --- Sign-in and anonymous visitors ---------------------------------------------------------------------------


def test_sign_in_page_has_a_title_one_heading_and_labelled_inputs(client):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    page = outline(response)
    assert page.title.strip() == "Sign in \N{EN DASH} IOM Partnership Tracker"
    assert page.h1_count == 1
    visible = [field for field in page.inputs if field.get("type") != "hidden"]
    assert {field.get("name") for field in visible} == {"username", "password"}
    for field in visible:
        assert field.get("id") in page.label_targets, field


def test_a_failed_sign_in_shows_the_error_summary(client, officer):
    response = client.post("/sign-in/", {"username": "officer", "password": "wrong-password"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert outline(response).title.startswith("Error: ")


@pytest.mark.parametrize(
    "url",
    ["/", "/people/{person}/", "/cases/{case}/access/", "/notifications/"],
    ids=["home", "person", "case-access", "notifications"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, case, url):
    path = url.format(person=case.person_id, case=case.pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert case.person.last_name not in response.content.decode()


def test_anonymous_post_to_case_access_grants_nothing(client, case, officer2):
    response = client.post(
        f"/cases/{case.pk}/access/", {"username": "officer2", "permission": "view_case", "reason": "Cover"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert _grant_count(case, officer2) == 0


# --- Home and notifications -------------------------------------------------------------------------------------


def test_officer_home_lists_the_cases_they_lead(officer, case):
    response = signed_in(officer).get("/")
    assert response.status_code == 200
    assert case.person.pnc_id in response.content.decode()
    assert outline(response).h1_count == 1


@pytest.mark.parametrize("role", ["partner", "coordinator", "employer", "analyst", "admin"])
def test_home_shows_no_case_content_to_roles_without_case_work(all_roles, case, role):
    # Partners, coordinators, employers and analysts start on their own page; administrators get a plain home.
    response = signed_in(all_roles[role]).get("/", follow=True)
    assert response.status_code == 200
    assert case.person.pnc_id not in response.content.decode()
    if role == "admin":
        assert "does not include case work" in response.content.decode()
    else:
        assert response.redirect_chain[0][0] in ("/portal/", "/referrals/", "/gateway/")


@pytest.mark.parametrize("role", ["officer", "employer", "admin"])
def test_every_signed_in_user_has_a_notifications_page(all_roles, role):
    response = signed_in(all_roles[role]).get("/notifications/")
    assert response.status_code == 200
    assert outline(response).h1_count == 1


# --- The person page --------------------------------------------------------------------------------------------


def test_officer_opens_their_persons_page_and_the_view_is_audited(officer, person):
    response = signed_in(officer).get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert person.full_name in response.content.decode()
    assert outline(response).h1_count == 1
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.VIEW, person_id=person.pk).count() == 1


def test_officer_from_another_team_gets_not_found_for_the_person(officer2, person):
    person.last_name = (
        "Quennell-Brightwater"  # a name no page carries by itself (a random "Page" would be in "Page not found")
    )
    person.save()
    response = signed_in(officer2).get(f"/people/{person.pk}/")
    assert response.status_code == 404
    assert person.last_name not in response.content.decode()
    assert not AuditEvent.objects.filter(user=officer2, action=AuditAction.VIEW).exists()


def test_manager_of_another_scheme_gets_not_found_for_the_person(outsider_manager, person):
    assert signed_in(outsider_manager).get(f"/people/{person.pk}/").status_code == 404


def test_employer_is_refused_the_person_page(employer, person):
    response = signed_in(employer).get(f"/people/{person.pk}/")
    assert response.status_code == 403
    assert person.last_name not in response.content.decode()
    assert not AuditEvent.objects.filter(user=employer, action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("role", ["partner", "coordinator", "analyst", "admin"])
def test_roles_without_case_work_are_refused_the_person_page(all_roles, person, role):
    missing = signed_in(all_roles[role]).get("/people/999999/")
    response = signed_in(all_roles[role]).get(f"/people/{person.pk}/")
    assert response.status_code == missing.status_code == 403


# --- The case access page: explicit grants ----------------------------------------------------------------------


def test_case_access_page_is_for_those_who_see_the_case(case, officer, officer2, employer, manager):
    assert signed_in(officer).get(f"/cases/{case.pk}/access/").status_code == 200
    assert signed_in(manager).get(f"/cases/{case.pk}/access/").status_code == 200
    assert signed_in(officer2).get(f"/cases/{case.pk}/access/").status_code == 404
    assert signed_in(employer).get(f"/cases/{case.pk}/access/").status_code == 403


def test_officer_grants_and_revokes_access_for_a_colleague_in_another_team(api_as, case, officer, officer2):
    owner, colleague = signed_in(officer), signed_in(officer2)
    person_url, case_api = f"/people/{case.person_id}/", f"/api/v1/cases/{case.pk}/"
    assert colleague.get(person_url).status_code == 404

    granted = owner.post(
        f"/cases/{case.pk}/access/",
        {"username": "officer2", "permission": "view_case", "reason": "Covering annual leave"},
        follow=True,
    )
    assert granted.redirect_chain == [(f"/cases/{case.pk}/access/", 302)]
    assert "officer2" in granted.content.decode()
    assert _grant_count(case, officer2) == 1
    assert AuditEvent.objects.filter(
        user=officer, action=AuditAction.PERMISSION_GRANTED, person_id=case.person_id
    ).exists()
    assert colleague.get(person_url).status_code == 200
    assert api_as(officer2).get(case_api).status_code == 200

    revoked = owner.post(
        f"/cases/{case.pk}/access/", {"username": "officer2", "permission": "view_case", "revoke": "1"}
    )
    assert revoked.status_code == 302
    assert _grant_count(case, officer2) == 0
    assert colleague.get(person_url).status_code == 404
    assert api_as(officer2).get(case_api).status_code == 404


@pytest.mark.parametrize("grantee", ["partner", "employer"])
def test_access_is_never_granted_to_partner_or_employer_users(all_roles, case, grantee):
    user = all_roles[grantee]
    response = signed_in(all_roles["officer"]).post(
        f"/cases/{case.pk}/access/",
        {"username": user.username, "permission": "view_case", "reason": "They asked for it"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Access can only be given to active police or probation case workers." in content
    assert _grant_count(case, user) == 0
    assert signed_in(user).get(f"/people/{case.person_id}/").status_code == 403


def test_a_grant_without_a_reason_shows_the_error_summary_and_grants_nothing(case, officer, officer2):
    response = signed_in(officer).post(
        f"/cases/{case.pk}/access/", {"username": "officer2", "permission": "view_case", "reason": ""}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert outline(response).title.startswith("Error: ")
    assert _grant_count(case, officer2) == 0


def test_a_grant_to_an_unknown_username_shows_the_error_summary(case, officer):
    response = signed_in(officer).post(
        f"/cases/{case.pk}/access/", {"username": "nobody", "permission": "view_case", "reason": "Cover"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "There is no user with that username." in response.content.decode()
    assert not CaseUserObjectPermission.objects.filter(content_object=case).exists()


def test_officer_from_another_team_cannot_grant_themselves_access(case, officer2):
    response = signed_in(officer2).post(
        f"/cases/{case.pk}/access/", {"username": "officer2", "permission": "view_case", "reason": "Curious"}
    )
    assert response.status_code == 404
    assert _grant_count(case, officer2) == 0
