"""Recording an intervention on the case, and the person page's Interventions section."""

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom.models import AuditAction, AuditEvent, OrganisationType
from outcomes.models import Intervention
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, ProgrammeFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Tenancy sustainment support", provider__name="Broadland Housing Association")


def form_data(chosen, **overrides):
    data = {
        "programme": chosen.pk,
        "provider": "",
        "referral": "",
        "started_on": days(-14).isoformat(),
        "ended_on": "",
        "sessions_planned": "6",
        "sessions_attended": "2",
        "outcome": "ongoing",
    }
    data.update(overrides)
    return data


def test_an_officer_records_an_intervention_from_the_case(officer, person, case, programme):
    referral = ReferralFactory(case=case)
    client = signed_in(officer)
    form = client.get(f"/cases/{case.pk}/interventions/new/")
    assert form.status_code == 200
    assert "Record an intervention" in text(form)
    response = client.post(
        f"/cases/{case.pk}/interventions/new/", form_data(programme, referral=referral.pk), follow=True
    )
    assert response.redirect_chain == [(f"/people/{person.pk}/#case-{case.pk}-interventions", 302)]
    content = text(response)
    assert "Tenancy sustainment support was recorded." in content
    assert "2 / 6" in content
    intervention = Intervention.objects.get()
    assert (intervention.provider, intervention.referral, intervention.recorded_by) == (
        programme.provider,
        referral,
        officer,
    )
    assert AuditEvent.objects.filter(object_type="intervention", action=AuditAction.CREATE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sessions_attended": "9"}, "sessions_attended", "Sessions attended cannot be more than the 6 planned."),
        ({"started_on": days(3).isoformat()}, "started_on", "The start date cannot be in the future."),
        ({"outcome": "completed"}, "ended_on", "Enter the date the intervention ended, or record it as ongoing."),
        ({"ended_on": days(-1).isoformat()}, "outcome_0", "An intervention with an end date is not ongoing"),
        ({"programme": ""}, "programme", "Choose programme or service."),
    ],
    ids=["attended-over-planned", "future-start", "completed-without-end", "ongoing-with-end", "no-programme"],
)
def test_bad_input_shows_the_error_and_writes_nothing(officer, case, programme, overrides, field, message):
    response = signed_in(officer).post(f"/cases/{case.pk}/interventions/new/", form_data(programme, **overrides))
    assert response.status_code == 200
    content = text(response)
    assert "There is a problem" in content
    assert f'href="#id_{field}"' in content  # radios link to their first option
    assert message in content
    assert not Intervention.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intervention").exists()


def test_inactive_programmes_are_not_offered(officer, case, programme):
    old = ProgrammeFactory(name="Retired course", active=False)
    response = signed_in(officer).post(f"/cases/{case.pk}/interventions/new/", form_data(old))
    assert response.status_code == 200
    assert "Retired course" not in text(response)
    assert not Intervention.objects.exists()


def test_an_officer_in_another_team_gets_404(officer2, case, programme):
    client = signed_in(officer2)
    assert client.get(f"/cases/{case.pk}/interventions/new/").status_code == 404
    assert client.post(f"/cases/{case.pk}/interventions/new/", form_data(programme)).status_code == 404
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("role", ["partner", "employer", "analyst"])
def test_roles_without_case_work_get_403(all_roles, case, programme, role):
    client = signed_in(all_roles[role])
    assert client.get(f"/cases/{case.pk}/interventions/new/").status_code == 403
    assert client.post(f"/cases/{case.pk}/interventions/new/", form_data(programme)).status_code == 403
    assert not Intervention.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, case, programme):
    response = client.get(f"/cases/{case.pk}/interventions/new/")
    assert response.status_code == 302
    assert client.post(f"/cases/{case.pk}/interventions/new/", form_data(programme)).status_code == 302
    assert not Intervention.objects.exists()


def test_the_person_page_shows_each_cases_interventions(officer, person, case, programme):
    InterventionFactory(case=case, programme=programme, sessions_planned=10, sessions_attended=7)
    other_provider = factories.OrganisationFactory(name="Change Grow Live Norfolk", type=OrganisationType.OTHER)
    InterventionFactory(
        case=case,
        programme=ProgrammeFactory(name="Structured drug treatment"),
        provider=other_provider,
        started_on=days(-200),
        ended_on=days(-100),
        outcome="dropped_out",
        sessions_planned=None,
        sessions_attended=None,
    )
    content = text(signed_in(officer).get(f"/people/{person.pk}/"))
    section = content[content.index(f'id="case-{case.pk}-interventions"') : content.index(f'id="case-{case.pk}-notes"')]
    assert "Tenancy sustainment support" in section
    assert "Broadland Housing Association" in section
    assert "7 / 10" in section
    assert "Structured drug treatment" in section
    assert "Change Grow Live Norfolk" in section
    assert "Dropped out" in section
    assert "Ongoing" in section
    assert f'href="/cases/{case.pk}/interventions/new/"' in section


def test_someone_who_can_only_view_the_case_sees_interventions_without_the_button(officer2, person, case):
    assign_perm("view_case", officer2, case)
    InterventionFactory(case=case)
    content = text(signed_in(officer2).get(f"/people/{person.pk}/"))
    assert "No interventions recorded yet." not in content
    assert "/interventions/new/" not in content


def test_the_person_page_says_when_there_are_no_interventions(officer, person, case):
    assert "No interventions recorded yet." in text(signed_in(officer).get(f"/people/{person.pk}/"))


def test_the_person_page_reads_interventions_in_a_constant_number_of_queries(
    officer, person, case, django_assert_max_num_queries
):
    client = signed_in(officer)
    url = f"/people/{person.pk}/"
    for _ in range(5):
        InterventionFactory(case=case, programme=ProgrammeFactory())
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        response = client.get(url)
    assert len(response.context["case_sections"][0]["interventions"]) == 5
    for _ in range(25):
        InterventionFactory(case=case, programme=ProgrammeFactory())
    with django_assert_max_num_queries(40) as large:
        response = client.get(url)
    assert len(response.context["case_sections"][0]["interventions"]) == 30
    assert len(small) == len(large)
