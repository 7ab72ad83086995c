"""The Plan scorecard pages: /plan/ and /plan/framework/ for managers, analysts and administrators, and the
managers' forms for measures and actuals (error summary on bad input, no silent overwrite)."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from iom.models import AuditAction, AuditEvent
from outcomes.models import PlanActual, PlanMeasure
from outcomes.services import plan_measure_update
from tests.outcomes.plan_support import enter, fake_reoffending, make_measure, seeded

pytestmark = pytest.mark.django_db

KSI_EDIT = "/plan/measures/ksi-road-collisions/edit/"
KSI_NEW = "/plan/measures/ksi-road-collisions/actuals/new/"


@pytest.fixture(autouse=True)
def _reoffending(monkeypatch):
    fake_reoffending(monkeypatch, {2012: 0.45, 2013: 0.43, 2014: 0.41, 2015: 0.46})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def measure_form(**overrides) -> dict:
    data = {"version": "1", "baseline": "", "baseline_period": "", "target": "320", "period_from": "2013"}
    data["period_to"] = "2015"
    data.update(overrides)
    return data


# --- Reading -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "analyst", "admin"])
def test_readers_see_every_objective_and_measure_with_a_status_tag(all_roles, role):
    response = signed_in(all_roles[role]).get("/plan/")
    assert response.status_code == 200
    page = text(response)
    assert page.count("<h1") == 1
    for position in (1, 2, 3, 4):
        assert f"{position}. " in page
    assert len(re.findall(r'<tr class="govuk-table__row" id="measure-', page)) == 10
    assert 'govuk-tag--grey">No data' in page
    assert "Reoffending of the most prolific offenders" in page
    assert "At least 100 in 2016/17" in page
    assert "At most 320 in 2015/16" in page
    assert 'href="/plan/"' in page  # the navigation link


def test_the_scorecard_shows_figures_and_the_status_rules(manager):
    asb = seeded("asb-incidents")
    PlanMeasure.objects.filter(pk=asb.pk).update(baseline=Decimal(30000))
    enter(asb, manager, y2013=26000, y2014=17500)
    enter(seeded("public-satisfaction"), manager, y2015="81.5")
    page = text(signed_in(manager).get("/plan/"))
    asb_row = page[page.index('id="measure-asb-incidents"') :].split("</tr>")[0]
    assert "Down 40% on 2012/13 in 2015/16" in asb_row
    assert "30,000" in asb_row and "26,000" in asb_row and "17,500" in asb_row
    assert 'govuk-tag--green">Met' in asb_row
    assert "-41.7% on the baseline" in asb_row
    satisfaction = page[page.index('id="measure-public-satisfaction"') :].split("</tr>")[0]
    assert "81.5%" in satisfaction and 'govuk-tag--green">Met' in satisfaction
    reoffending = page[page.index('id="measure-prolific-offender-reoffending"') :].split("</tr>")[0]
    assert "43%" in reoffending and "45%" in reoffending
    assert 'govuk-tag--red">Off track' in reoffending  # 46% in 2015/16 is not below 45%
    assert "How the status is decided" in page


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "coordinator", "employer"])
def test_other_roles_are_refused_the_plan_pages(all_roles, role):
    client = signed_in(all_roles[role])
    assert client.get("/plan/").status_code == 403
    assert client.get("/plan/framework/").status_code == 403
    assert client.get(KSI_EDIT).status_code == 403
    assert client.get(KSI_NEW).status_code == 403


def test_the_plan_link_is_only_in_the_navigation_of_its_readers(officer, analyst):
    assert 'href="/plan/"' not in text(signed_in(officer).get("/notifications/"))
    assert 'href="/plan/"' in text(signed_in(analyst).get("/notifications/"))


@pytest.mark.parametrize("url", ["/plan/", "/plan/framework/", KSI_EDIT, KSI_NEW])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_only_editors_see_the_edit_links(manager, analyst, admin_user):
    assert KSI_EDIT in text(signed_in(manager).get("/plan/"))
    assert KSI_NEW in text(signed_in(manager).get("/plan/"))
    assert KSI_EDIT not in text(signed_in(analyst).get("/plan/"))
    admin_page = text(signed_in(admin_user).get("/plan/"))
    assert KSI_EDIT in admin_page and KSI_NEW not in admin_page


def test_the_framework_shows_trends_without_targets_or_status(analyst, manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=350, y2014=315)
    response = signed_in(analyst).get("/plan/framework/")
    assert response.status_code == 200
    page = text(response)
    row = page[page.index('id="trend-ksi-road-collisions"') :].split("</tr>")[0]
    assert "350" in row and "315" in row and "down 10.0%" in row
    assert "govuk-tag" not in page and "At most 320" not in page


def test_the_scorecard_page_takes_the_same_queries_however_many_measures(manager):
    client = signed_in(manager)
    with CaptureQueriesContext(connection) as before:
        assert client.get("/plan/").status_code == 200
    for number in range(15):
        enter(make_measure(code=f"extra-{number}"), manager, y2013=5, y2014=4, y2015=3)
    with CaptureQueriesContext(connection) as after:
        assert client.get("/plan/").status_code == 200
    assert len(before) == len(after), "\n".join(query["sql"] for query in after.captured_queries)


# --- Editing a measure -------------------------------------------------------------------------------------------


def test_a_manager_edits_a_measure(manager):
    client = signed_in(manager)
    form = client.get(KSI_EDIT)
    assert form.status_code == 200
    assert "Edit Killed or seriously injured road collisions" in text(form)
    response = client.post(KSI_EDIT, measure_form(baseline="402", baseline_period="2012", target="310"), follow=True)
    assert response.redirect_chain[-1][0] == "/plan/#measure-ksi-road-collisions"
    measure = seeded("ksi-road-collisions")
    assert (measure.baseline, measure.baseline_period, measure.target, measure.version) == (402, 2012, 310, 2)
    assert AuditEvent.objects.filter(user=manager, object_type="planmeasure", action=AuditAction.CHANGE).exists()


def test_bad_measure_input_shows_the_error_summary_and_saves_nothing(manager):
    response = signed_in(manager).post(KSI_EDIT, measure_form(baseline="402", target="lots", period_from="2016"))
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "<title>Error: " in page
    assert "Enter the target as a number, for example 18." in page
    assert seeded("ksi-road-collisions").version == 1


def test_service_rules_show_on_the_form_fields(manager):
    response = signed_in(manager).post(KSI_EDIT, measure_form(baseline="402", period_from="2015", period_to="2014"))
    page = text(response)
    assert "There is a problem" in page
    assert "The last financial year cannot be before the first." in page
    assert "Choose the financial year the baseline is for." in page


def test_a_reduced_measure_has_no_target_field(manager):
    page = text(signed_in(manager).get("/plan/measures/night-time-economy-violent-and-sexual-crime/edit/"))
    assert 'name="target"' not in page
    assert 'name="baseline"' in page


def test_a_measure_changed_meanwhile_is_not_overwritten(manager, admin_user):
    client = signed_in(manager)
    client.get(KSI_EDIT)
    plan_measure_update(acting_user=admin_user, measure=seeded("ksi-road-collisions"), version=1, target=300)
    response = client.post(KSI_EDIT, measure_form(target="310"))
    assert response.status_code == 200
    page = text(response)
    assert "changed by someone else" in page
    assert "Saved by someone else: baseline \N{EN DASH}, target 300" in page
    assert 'name="version" value="2"' in page
    assert seeded("ksi-road-collisions").target == 300
    again = client.post(KSI_EDIT, measure_form(target="310", version="2"))
    assert again.status_code == 302
    assert seeded("ksi-road-collisions").target == 310


def test_an_administrator_edits_measures_but_not_actuals(admin_user):
    client = signed_in(admin_user)
    assert client.get(KSI_EDIT).status_code == 200
    assert client.post(KSI_EDIT, measure_form(target="315")).status_code == 302
    assert client.get(KSI_NEW).status_code == 403


def test_an_analyst_may_not_edit(analyst):
    assert signed_in(analyst).get(KSI_EDIT).status_code == 403
    assert signed_in(analyst).post(KSI_EDIT, measure_form(target="1")).status_code == 403
    assert seeded("ksi-road-collisions").target == 320


def test_an_unknown_measure_is_not_found(manager):
    assert signed_in(manager).get("/plan/measures/no-such-measure/edit/").status_code == 404
    assert signed_in(manager).get("/plan/measures/no-such-measure/actuals/new/").status_code == 404


# --- Actuals -----------------------------------------------------------------------------------------------------


def test_a_manager_enters_an_actual(manager):
    client = signed_in(manager)
    form = client.get(KSI_NEW)
    assert form.status_code == 200
    assert ">2015/16<" in text(form)
    response = client.post(KSI_NEW, {"period": "2014", "value": "328", "note": "Road casualty returns"}, follow=True)
    assert response.redirect_chain[-1][0] == "/plan/#measure-ksi-road-collisions"
    assert "the actual for 2014/15 was saved" in text(response)
    actual = PlanActual.objects.get(period=2014)
    assert (actual.value, actual.note, actual.entered_by) == (328, "Road casualty returns", manager)


def test_an_empty_actual_shows_the_error_summary(manager):
    response = signed_in(manager).post(KSI_NEW, {"period": "", "value": "", "note": ""})
    page = text(response)
    assert "There is a problem" in page
    assert "Choose financial year." in page and "Enter actual." in page
    assert not PlanActual.objects.exists()


def test_an_actual_breaking_a_rule_shows_the_services_message(manager):
    response = signed_in(manager).post(
        "/plan/measures/public-satisfaction/actuals/new/", {"period": "2014", "value": "101", "note": ""}
    )
    assert "Enter the actual as a per cent, from 0 to 100." in text(response)
    assert not PlanActual.objects.exists()


def test_entering_a_year_again_points_to_changing_it(manager):
    enter(seeded("ksi-road-collisions"), manager, y2014=328)
    response = signed_in(manager).post(KSI_NEW, {"period": "2014", "value": "300", "note": ""})
    page = text(response)
    assert "There is a problem" in page
    assert "An actual for 2014/15 has already been entered" in page
    assert "/plan/measures/ksi-road-collisions/actuals/2014-15/edit/" in page
    assert PlanActual.objects.get(period=2014).value == 328


def test_a_computed_measure_has_no_actual_pages(manager):
    assert signed_in(manager).get("/plan/measures/gateway-employers/actuals/new/").status_code == 404
    assert "Enter an actual for Gateway" not in text(signed_in(manager).get("/plan/"))


def test_a_manager_changes_an_actual_and_a_stale_form_is_not_saved(manager, outsider_manager):
    enter(seeded("ksi-road-collisions"), manager, y2014=328)
    url = "/plan/measures/ksi-road-collisions/actuals/2014-15/edit/"
    mine, theirs = signed_in(manager), signed_in(outsider_manager)
    assert 'value="328' in text(mine.get(url))
    assert theirs.post(url, {"version": "1", "value": "326", "note": "Revised"}).status_code == 302
    stale = mine.post(url, {"version": "1", "value": "330", "note": ""})
    assert stale.status_code == 200
    page = text(stale)
    assert "Saved by someone else: 326, note: Revised" in page
    assert PlanActual.objects.get(period=2014).value == 326
    assert mine.post(url, {"version": "2", "value": "330", "note": ""}).status_code == 302
    assert PlanActual.objects.get(period=2014).value == 330


def test_changing_a_year_without_an_actual_is_not_found(manager):
    client = signed_in(manager)
    assert client.get("/plan/measures/ksi-road-collisions/actuals/2014-15/edit/").status_code == 404
    assert client.get("/plan/measures/ksi-road-collisions/actuals/2014/edit/").status_code == 404


def test_the_measure_page_lists_its_actuals_for_managers(manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=341)
    page = text(signed_in(manager).get(KSI_EDIT))
    assert "2013/14" in page and "341" in page
    assert "/plan/measures/ksi-road-collisions/actuals/2013-14/edit/" in page


# --- The Django admin: the Plan's reference data -------------------------------------------------------------------


def _admin_form(measure: PlanMeasure, **overrides) -> dict:
    data = {
        "objective": str(measure.objective_id),
        "code": measure.code,
        "position": str(measure.position),
        "title": measure.title,
        "kind": measure.kind,
        "unit": measure.unit,
        "computed": measure.computed,
        "cohort": "",
    }
    data.update(overrides)
    return data


def test_administrators_keep_the_plans_reference_data_in_the_admin(admin_user):
    client = signed_in(admin_user)
    ksi = seeded("ksi-road-collisions")
    assert client.get("/django-admin/outcomes/planobjective/").status_code == 200
    assert client.get("/django-admin/outcomes/planmeasure/").status_code == 200
    change = client.get(f"/django-admin/outcomes/planmeasure/{ksi.pk}/change/")
    assert change.status_code == 200
    assert 'name="title"' in text(change)
    assert 'name="target"' not in text(change)  # edited on the scorecard, with locking
    saved = client.post(f"/django-admin/outcomes/planmeasure/{ksi.pk}/change/", _admin_form(ksi, title="KSI"))
    assert saved.status_code == 302
    ksi.refresh_from_db()
    assert (ksi.title, ksi.version, ksi.updated_by) == ("KSI", 2, admin_user)  # an open manager's form is now stale
    assert AuditEvent.objects.filter(object_type="planmeasure", details__via="admin").exists()


def test_an_admin_change_that_breaks_a_rule_is_a_form_error(admin_user):
    ksi = seeded("ksi-road-collisions")
    response = signed_in(admin_user).post(
        f"/django-admin/outcomes/planmeasure/{ksi.pk}/change/", _admin_form(ksi, kind="reduce")
    )
    assert response.status_code == 200
    assert "A 'reduce' measure has no target; every other kind needs one." in text(response)
    assert seeded("ksi-road-collisions").kind == "at_most"


def test_actuals_are_read_only_in_the_admin(admin_user, manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=341)
    client = signed_in(admin_user)
    assert client.get("/django-admin/outcomes/planactual/").status_code == 200
    assert client.get("/django-admin/outcomes/planactual/add/").status_code == 403


def test_other_roles_do_not_see_the_plan_in_the_admin(manager):
    manager.is_staff = True
    manager.save()
    response = signed_in(manager).get("/django-admin/outcomes/planmeasure/")
    assert response.status_code in (302, 403)
