"""Every role against every /api/v1/ endpoint, as one table (docs/roles.md).

Rules the table encodes:
- anonymous gets 401 everywhere except ``POST auth/token/``;
- a role that may not use an endpoint at all gets 403;
- an object outside a permitted user's visibility gets 404 (never 403), on reads and writes alike;
- an invisible object *named in a body* (a case on a new note, a person to adopt) is a 400 that reads exactly
  like an id that does not exist;
- a method an endpoint does not have (notes and audit events are never edited) is 405;
- a cohort a metric reader cannot see, named in a query parameter, is a 400 on ``cohort`` that reads like an
  unknown slug (tests/api/test_api_metrics.py shows the messages are the same).

The world: ``case`` is a Norwich case (officer leads, probation co-manages) with an action, a normal and a
restricted note, an assessment, a membership of the Norfolk cohort ``fixed`` and a view grant held by
``cover``; officer2 works the Yarmouth case; the manager uploaded a (finished) people import. The manager is
in Norwich and manages the Norfolk scheme; the outsider manages Suffolk.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom.audit import audit_record
from iom.models import (
    ActionStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CaseStatus,
    CaseUserObjectPermission,
    District,
    Membership,
    Notification,
    Role,
    Sensitivity,
)
from iom.pnc import make_pnc_id
from outcomes.models import ImportRun, ImportState
from tests.iom import factories

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "officer",
    "officer2",
    "probation",
    "manager",
    "outsider_manager",
    "partner",
    "coordinator",
    "employer",
    "analyst",
    "admin",
)

# fmt: off
# Each row: method, URL template, body (a key of BODIES), then one status per role in ROLES order:
#            anon  officer officer2 probation manager outsider partner coord employer analyst admin
MATRIX = [
    # --- auth and me -------------------------------------------------------------------------------------------
    ("POST",   "/api/v1/auth/token/",                   "credentials",
            (200,  200,    200,     200,      200,    200,     200,    200,  200,     200,    200)),
    ("GET",    "/api/v1/me/",                           None,
            (401,  200,    200,     200,      200,    200,     200,    200,  200,     200,    200)),
    # --- people --------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/people/",                       None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/people/?q={person_last_name}",  None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/people/{person}/",              None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/people/",                       "person_create",
            (401,  201,    201,     201,      201,    201,     403,    403,  403,     403,    403)),
    ("PATCH",  "/api/v1/people/{person}/",              "person_patch",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("PUT",    "/api/v1/people/{person}/",              "person_put",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("DELETE", "/api/v1/people/{person}/",              None,
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    # --- cohorts and panel decisions -----------------------------------------------------------------------------
    ("GET",    "/api/v1/cohorts/",                      None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/cohorts/fixed/",                None,
            (401,  200,    200,     200,      200,    404,     403,    403,  403,     200,    200)),
    ("POST",   "/api/v1/cohorts/",                      "cohort_create",
            (401,  403,    403,     403,      201,    400,     403,    403,  403,     403,    201)),
    ("GET",    "/api/v1/memberships/",                  None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/memberships/{membership}/",     None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/memberships/adopt/",            "adopt",
            (401,  201,    400,     403,      201,    400,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/memberships/{membership}/exit/", "exit",
            (401,  200,    404,     403,      200,    404,     403,    403,  403,     403,    403)),
    # --- cases and grants ----------------------------------------------------------------------------------------
    ("GET",    "/api/v1/cases/",                        None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/cases/{case}/",                 None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/cases/{yarmouth_case}/",        None,
            (401,  404,    200,     404,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/cases/",                        "case_create",
            (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403)),
    ("PATCH",  "/api/v1/cases/{case}/",                 "case_patch",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("PUT",    "/api/v1/cases/{case}/",                 "case_patch",
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    ("GET",    "/api/v1/cases/{case}/grants/",          None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/cases/{case}/grant/",           "grant",
            (401,  204,    404,     204,      204,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/cases/{case}/revoke/",          "revoke",
            (401,  204,    404,     204,      204,    404,     403,    403,  403,     403,    403)),
    # --- pathway assessments -------------------------------------------------------------------------------------
    ("GET",    "/api/v1/assessments/",                  None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/assessments/{assessment}/",     None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/assessments/",                  "assessment_create",
            (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403)),
    # --- actions -------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/actions/",                      None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/actions/{action}/",             None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/actions/",                      "action_create",
            (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403)),
    ("PATCH",  "/api/v1/actions/{action}/",             "action_patch",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/actions/{action}/complete/",    "version",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/actions/{action}/cancel/",      "version",
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    # --- notes ---------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/notes/",                        None,
            (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/notes/{note}/",                 None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/notes/{restricted_note}/",      None,
            (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/notes/",                        "note_create",
            (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403)),
    ("PATCH",  "/api/v1/notes/{note}/",                 "note_patch",
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    # --- audit ---------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/audit-events/",                 None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     403,    200)),
    ("GET",    "/api/v1/audit-events/{audit_event}/",   None,
            (401,  403,    403,     403,      200,    404,     403,    403,  403,     403,    200)),
    ("DELETE", "/api/v1/audit-events/{audit_event}/",   None,
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    # --- notifications -------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/notifications/",                None,
            (401,  200,    200,     200,      200,    200,     200,    200,  200,     200,    200)),
    ("POST",   "/api/v1/notifications/mark-read/",      "mark_read",
            (401,  200,    200,     200,      200,    200,     200,    200,  200,     200,    200)),
    # --- reoffending metrics: aggregates for managers, analysts and administrators; a cohort the user cannot
    # see reads as unknown (400 on ``cohort``) --------------------------------------------------------------------
    ("GET",    "/api/v1/metrics/reoffending/?index_from=2018-01-01&index_to=2018-12-31", None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/reoffending/?index_from=2018-01-01&index_to=2018-12-31&cohort=fixed", None,
            (401,  403,    403,     403,      200,    400,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/reoffending/?index_from=2018-01-01&index_to=2018-12-31&format=csv", None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/reoffending/quarterly/?from_quarter=2018Q1&to_quarter=2018Q4", None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/reoffending/quarterly/?from_quarter=2018Q1&to_quarter=2018Q4&cohort=fixed", None,
            (401,  403,    403,     403,      200,    400,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/pre-post/?cohort=fixed", None,
            (401,  403,    403,     403,      200,    400,     403,    403,  403,     200,    200)),
    ("POST",   "/api/v1/metrics/pre-post/?cohort=fixed", "mark_read",
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    ("GET",    "/api/v1/metrics/snapshots/?metric=quarterly", None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     200,    200)),
    ("GET",    "/api/v1/metrics/snapshots/?metric=pre_post&cohort=fixed", None,
            (401,  403,    403,     403,      200,    400,     403,    403,  403,     200,    200)),
    ("POST",   "/api/v1/metrics/gateway/",              "mark_read",
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    # --- imports: IOM managers of every scheme share them -------------------------------------------------------
    ("GET",    "/api/v1/imports/",                      None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/imports/{import_run}/",         None,
            (401,  403,    403,     403,      200,    200,     403,    403,  403,     403,    403)),
    ("GET",    "/api/v1/imports/999999/",               None,
            (401,  403,    403,     403,      404,    404,     403,    403,  403,     403,    403)),
    ("POST",   "/api/v1/imports/",                      "import_upload",
            (401,  403,    403,     403,      202,    202,     403,    403,  403,     403,    403)),
    ("DELETE", "/api/v1/imports/{import_run}/",         None,
            (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
]
# fmt: on

CELLS = [
    pytest.param(role, method, url, body, statuses[index], id=f"{role}-{method}-{url}")
    for method, url, body, statuses in MATRIX
    for index, role in enumerate(ROLES)
]


def _today() -> datetime.date:
    return timezone.localdate()


BODIES = {
    "credentials": lambda w, role: {
        "username": w.users["officer" if role == "anonymous" else role].username,
        "password": factories.PASSWORD,
    },
    "person_create": lambda w, role: {
        "pnc_id": make_pnc_id(2016, 4_444_444),
        "first_name": "Dylan",
        "last_name": "Thacker",
        "date_of_birth": "1991-05-17",
        "district": District.NORWICH,
    },
    "person_patch": lambda w, role: {"version": w.person.version, "aliases": ["Dyl", "DT"]},
    "person_put": lambda w, role: {
        "version": w.person.version,
        "pnc_id": w.person.pnc_id,
        "first_name": w.person.first_name,
        "last_name": w.person.last_name,
        "date_of_birth": w.person.date_of_birth.isoformat(),
        "district": District.BROADLAND,
    },
    "cohort_create": lambda w, role: {"slug": "free", "name": "Free", "scheme": w.norfolk.pk},
    "adopt": lambda w, role: {
        "person": w.person.pk,
        "cohort": w.flex.slug,
        "adopted_on": (_today() - datetime.timedelta(days=3)).isoformat(),
        "panel_date": (_today() - datetime.timedelta(days=3)).isoformat(),
    },
    "exit": lambda w, role: {
        "exited_on": _today().isoformat(),
        "exit_reason": "Offending reduced; stepped down by panel",
        "panel_date": _today().isoformat(),
    },
    "case_create": lambda w, role: {"person": w.closed_case.person_id, "team": w.norwich.pk},
    "case_patch": lambda w, role: {"version": w.case.version, "status": CaseStatus.PAUSED},
    "grant": lambda w, role: {"username": "officer2", "permission": "view_case", "reason": "Covering annual leave"},
    "revoke": lambda w, role: {"username": "cover", "permission": "view_case"},
    "assessment_create": lambda w, role: {
        "case": w.case.pk,
        "pathway": "accommodation",
        "need_level": "high",
        "rag": "red",
    },
    "action_create": lambda w, role: {
        "case": w.case.pk,
        "description": "Book a housing options appointment",
        "owner": "officer",
        "due_on": (_today() + datetime.timedelta(days=14)).isoformat(),
    },
    "action_patch": lambda w, role: {"version": w.action.version, "description": "Book and attend housing options"},
    "version": lambda w, role: {"version": w.action.version},
    "note_create": lambda w, role: {"case": w.case.pk, "note_type": "contact", "text": "Met at home; engaging well."},
    "note_patch": lambda w, role: {"text": "Rewritten"},
    "mark_read": lambda w, role: {},
    "import_upload": lambda w, role: {
        "kind": "cohorts",
        "file": SimpleUploadedFile("cohorts.csv", b"slug,name\nfree,Free\n", content_type="text/csv"),
    },
}


@pytest.fixture
def world(all_roles, case, cohort, norfolk, norwich, yarmouth, police):
    officer, officer2, probation = all_roles["officer"], all_roles["officer2"], all_roles["probation"]
    users = {"anonymous": None, **all_roles}
    case.person.last_name = "Brannigan"
    case.person.save()
    yarmouth_case = factories.CaseFactory(
        team=yarmouth, lead_officer=officer2, person__district=District.GREAT_YARMOUTH
    )
    closed_case = factories.CaseFactory(
        team=norwich, lead_officer=officer, status=CaseStatus.CLOSED, closed_on=_today() - datetime.timedelta(days=5)
    )
    flex = factories.CohortFactory(slug="flex", name="Flex", scheme=norfolk)
    membership = factories.MembershipFactory(person=case.person, cohort=cohort, decided_by=officer)
    action = factories.ActionFactory(case=case, owner=officer)
    note = factories.NoteFactory(case=case, author=officer, sensitivity=Sensitivity.NORMAL)
    restricted_note = factories.NoteFactory(case=case, author=probation, sensitivity=Sensitivity.RESTRICTED)
    assessment = factories.AssessmentFactory(case=case, assessed_by=officer)
    cover = factories.UserFactory(username="cover", role=Role.IOM_OFFICER, organisation=police, teams=[yarmouth])
    assign_perm("view_case", cover, case)
    import_run = ImportRun.objects.create(kind="people", uploaded_by=users["manager"], state=ImportState.SUCCEEDED)
    audit_event = audit_record(
        user=officer, action=AuditAction.CHANGE, obj=case.person, changes={"first_name": ["Jon", "John"]}
    )
    ids = {
        "person": case.person_id,
        "person_last_name": "brannigan",
        "case": case.pk,
        "yarmouth_case": yarmouth_case.pk,
        "membership": membership.pk,
        "assessment": assessment.pk,
        "action": action.pk,
        "note": note.pk,
        "restricted_note": restricted_note.pk,
        "audit_event": audit_event.pk,
        "import_run": import_run.pk,
    }
    return SimpleNamespace(
        users=users,
        ids=ids,
        person=case.person,
        case=case,
        yarmouth_case=yarmouth_case,
        closed_case=closed_case,
        norfolk=norfolk,
        norwich=norwich,
        flex=flex,
        membership=membership,
        action=action,
        note=note,
        restricted_note=restricted_note,
        audit_event=audit_event,
        cover=cover,
    )


def _request(api, method: str, url: str, body=None):
    if method == "GET":
        return api.get(url)
    body = body if body is not None else {}
    uploads = any(hasattr(value, "read") for value in body.values())  # a file goes as multipart (imports)
    return getattr(api, method.lower())(url, body, format="multipart" if uploads else "json")


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), CELLS)
def test_permission_matrix(role, method, url, body, expected, world, api):
    if world.users[role] is not None:
        api.force_authenticate(world.users[role])
    data = BODIES[body](world, role) if body else None
    response = _request(api, method, url.format(**world.ids), data)
    assert response.status_code == expected, response.content


# --- What the refusals and lists contain --------------------------------------------------------------------------


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_officer_lists_only_the_people_of_their_own_team(world, api_as):
    rows = _results(api_as(world.users["officer"]).get("/api/v1/people/"))
    assert {row["id"] for row in rows} == {world.person.pk, world.closed_case.person_id}
    assert world.yarmouth_case.person_id not in {row["id"] for row in rows}
    assert {row["district"] for row in rows} == {District.NORWICH}


def test_people_search_finds_only_people_the_user_may_see(world, api_as):
    found = _results(api_as(world.users["officer"]).get("/api/v1/people/?q=brannigan"))
    assert [row["id"] for row in found] == [world.person.pk]
    assert _results(api_as(world.users["officer2"]).get("/api/v1/people/?q=brannigan")) == []
    assert _results(api_as(world.users["outsider_manager"]).get("/api/v1/people/?q=brannigan")) == []


def test_employer_cannot_list_people(world, api_as):
    response = api_as(world.users["employer"]).get("/api/v1/people/")
    assert response.status_code == 403
    body = response.json()
    assert "results" not in body
    assert world.person.last_name not in response.content.decode()


@pytest.mark.parametrize("role", ["employer", "partner", "coordinator", "analyst", "admin"])
def test_roles_without_case_work_cannot_read_a_person_and_learn_nothing(world, api_as, role):
    response = api_as(world.users[role]).get(f"/api/v1/people/{world.person.pk}/")
    missing = api_as(world.users[role]).get("/api/v1/people/999999/")
    assert response.status_code == missing.status_code == 403
    assert response.json() == missing.json()


def test_manager_sees_cases_in_both_teams_of_their_scheme(world, api_as):
    rows = _results(api_as(world.users["manager"]).get("/api/v1/cases/"))
    assert {row["team_name"] for row in rows} == {"Norwich IOM", "Great Yarmouth IOM"}
    assert {row["id"] for row in rows} == {world.case.pk, world.yarmouth_case.pk, world.closed_case.pk}


def test_officer_sees_only_their_own_teams_cases(world, api_as):
    rows = _results(api_as(world.users["officer2"]).get("/api/v1/cases/"))
    assert [row["id"] for row in rows] == [world.yarmouth_case.pk]


def test_outsider_manager_sees_nothing_of_another_scheme(world, api_as):
    client = api_as(world.users["outsider_manager"])
    for url in ("/api/v1/people/", "/api/v1/cases/", "/api/v1/actions/", "/api/v1/notes/", "/api/v1/memberships/"):
        assert _results(client.get(url)) == [], url
    assert [row["slug"] for row in _results(client.get("/api/v1/cohorts/"))] == []
    audit_rows = _results(client.get("/api/v1/audit-events/"))
    assert all(row["person"] != world.person.pk for row in audit_rows)
    assert all(row["username"] != "officer" for row in audit_rows)


def test_managers_of_every_scheme_see_people_nobody_manages_yet(world, api_as):
    imported = factories.PersonFactory(last_name="Unallocated")
    outsider_rows = _results(api_as(world.users["outsider_manager"]).get("/api/v1/people/"))
    assert [row["id"] for row in outsider_rows] == [imported.pk]
    officer_rows = _results(api_as(world.users["officer"]).get("/api/v1/people/"))
    assert imported.pk not in {row["id"] for row in officer_rows}


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_restricted_notes_are_shown_to_police_and_probation_on_the_case(world, api_as, role):
    rows = _results(api_as(world.users[role]).get("/api/v1/notes/"))
    assert {row["id"]: row["sensitivity"] for row in rows} == {
        world.note.pk: Sensitivity.NORMAL,
        world.restricted_note.pk: Sensitivity.RESTRICTED,
    }
    detail = api_as(world.users[role]).get(f"/api/v1/notes/{world.restricted_note.pk}/")
    assert detail.json()["text"] == world.restricted_note.text


def test_restricted_notes_are_not_shown_outside_the_case(world, api_as):
    assert _results(api_as(world.users["officer2"]).get("/api/v1/notes/")) == []


def test_administrator_sees_audit_events_without_changed_values(world, api_as):
    rows = _results(api_as(world.users["admin"]).get("/api/v1/audit-events/?action=change"))
    row = next(row for row in rows if row["id"] == world.audit_event.pk)
    assert row["username"] == "officer"
    assert row["person"] == world.person.pk
    assert row["changes"] is None
    assert row["details"] is None
    detail = api_as(world.users["admin"]).get(f"/api/v1/audit-events/{world.audit_event.pk}/").json()
    assert detail["changes"] is None


def test_manager_sees_audit_events_with_changed_values(world, api_as):
    rows = _results(api_as(world.users["manager"]).get("/api/v1/audit-events/?action=change"))
    row = next(row for row in rows if row["id"] == world.audit_event.pk)
    assert row["changes"] == {"first_name": ["Jon", "John"]}


def test_analyst_lists_cohort_aggregates_without_names(world, api_as):
    rows = _results(api_as(world.users["analyst"]).get("/api/v1/cohorts/"))
    assert {row["slug"]: row["current_members"] for row in rows} == {"fixed": 1, "flex": 0}
    assert world.person.last_name not in str(rows)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/notes/", "note_create"),
        ("/api/v1/actions/", "action_create"),
        ("/api/v1/assessments/", "assessment_create"),
    ],
)
def test_an_invisible_case_named_in_a_body_reads_like_one_that_does_not_exist(world, api_as, url, body):
    client = api_as(world.users["officer2"])
    hidden = client.post(url, BODIES[body](world, "officer2"), format="json")
    missing = client.post(url, {**BODIES[body](world, "officer2"), "case": 999_999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["case"] == [
        message.replace("999999", str(world.case.pk)) for message in missing.json()["errors"]["case"]
    ]


def test_an_invisible_person_cannot_be_adopted_and_reads_like_one_that_does_not_exist(world, api_as):
    client = api_as(world.users["officer2"])
    hidden = client.post("/api/v1/memberships/adopt/", BODIES["adopt"](world, "officer2"), format="json")
    missing = client.post(
        "/api/v1/memberships/adopt/", {**BODIES["adopt"](world, "officer2"), "person": 999_999}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["person"] == [
        message.replace("999999", str(world.person.pk)) for message in missing.json()["errors"]["person"]
    ]
    assert not Membership.objects.filter(person=world.person, cohort=world.flex).exists()


def test_officer_from_another_team_cannot_patch_and_the_refusal_is_audited(world, api_as):
    client = api_as(world.users["officer2"])
    response = client.patch(
        f"/api/v1/people/{world.person.pk}/", {"version": 1, "first_name": "Changed"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    world.person.refresh_from_db()
    assert world.person.first_name != "Changed"
    assert AuditEvent.objects.filter(
        user=world.users["officer2"], person=world.person, outcome=AuditOutcome.REFUSED
    ).exists()


def test_invisible_and_missing_objects_give_the_same_404(world, api_as):
    client = api_as(world.users["officer2"])
    kinds = {"people": "person", "cases": "case", "actions": "action", "notes": "note", "memberships": "membership"}
    for kind, key in kinds.items():
        hidden = client.get(f"/api/v1/{kind}/{world.ids[key]}/")
        missing = client.get(f"/api/v1/{kind}/999999/")
        assert hidden.status_code == missing.status_code == 404, kind
        assert hidden.json() == missing.json(), kind


@pytest.mark.parametrize("url", ["/api/v1/people/abc/", "/api/v1/cases/abc/", "/api/v1/cases/abc/grants/"])
def test_a_non_numeric_id_is_not_found(world, api_as, url):
    assert api_as(world.users["officer"]).get(url).status_code == 404


def test_granted_officer_sees_the_case_until_the_grant_is_revoked(world, api_as):
    officer, officer2 = world.users["officer"], world.users["officer2"]
    grant = api_as(officer).post(f"/api/v1/cases/{world.case.pk}/grant/", BODIES["grant"](world, "officer"))
    assert grant.status_code == 204
    assert api_as(officer2).get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    assert api_as(officer2).get(f"/api/v1/people/{world.person.pk}/").status_code == 200
    revoke = api_as(officer).post(
        f"/api/v1/cases/{world.case.pk}/revoke/", {"username": "officer2", "permission": "view_case"}
    )
    assert revoke.status_code == 204
    assert api_as(officer2).get(f"/api/v1/cases/{world.case.pk}/").status_code == 404


@pytest.mark.parametrize("grantee", ["partner", "employer", "coordinator", "analyst", "admin"])
def test_case_access_is_never_granted_outside_police_and_probation(world, api_as, grantee):
    response = api_as(world.users["officer"]).post(
        f"/api/v1/cases/{world.case.pk}/grant/",
        {"username": world.users[grantee].username, "permission": "view_case", "reason": "Asked nicely"},
    )
    assert response.status_code == 400
    assert "grantee" in response.json()["errors"]
    assert not CaseUserObjectPermission.objects.filter(user=world.users[grantee]).exists()


def test_a_grant_does_not_let_its_holder_grant_onwards(world, api_as):
    assign_perm("change_case", world.cover, world.case)
    response = api_as(world.cover).post(f"/api/v1/cases/{world.case.pk}/grant/", BODIES["grant"](world, "cover"))
    assert response.status_code == 403
    assert not CaseUserObjectPermission.objects.filter(user=world.users["officer2"]).exists()


def test_grants_list_names_who_holds_access(world, api_as):
    response = api_as(world.users["manager"]).get(f"/api/v1/cases/{world.case.pk}/grants/")
    assert response.status_code == 200
    assert [(row["username"], row["permission"]) for row in response.json()] == [("cover", "view_case")]


def test_anonymous_gets_401_and_no_data(world, api):
    response = api.get("/api/v1/people/")
    assert response.status_code == 401
    assert "results" not in response.json()


def test_token_sign_in_with_a_wrong_password_is_refused(world, api):
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": "not-the-password"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_token_from_sign_in_opens_the_api(world, api):
    token = api.post("/api/v1/auth/token/", {"username": "officer", "password": factories.PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "officer"
    assert api.get("/api/v1/people/").status_code == 200


def test_notifications_are_only_the_users_own(world, api_as):
    mine = Notification.objects.create(user=world.users["employer"], kind="test", title="For the employer")
    theirs = Notification.objects.create(user=world.users["officer"], kind="test", title="For the officer")
    client = api_as(world.users["employer"])
    assert [row["id"] for row in _results(client.get("/api/v1/notifications/"))] == [mine.pk]
    marked = client.post("/api/v1/notifications/mark-read/", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert marked.json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_writes_the_matrix_allows_take_effect(world, api_as):
    """The matrix's 2xx cells are real writes: spot-check that they changed the records."""
    completed = api_as(world.users["probation"]).post(f"/api/v1/actions/{world.action.pk}/complete/", {"version": 1})
    assert completed.status_code == 200
    world.action.refresh_from_db()
    assert world.action.status == ActionStatus.DONE
    exited = api_as(world.users["manager"]).post(
        f"/api/v1/memberships/{world.membership.pk}/exit/", BODIES["exit"](world, "manager")
    )
    assert exited.json()["exit_decided_by"] == "manager"
    world.membership.refresh_from_db()
    assert world.membership.exited_on == _today()


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("officer", "/api/v1/notes/?case={case}"),
        ("officer", "/api/v1/assessments/?case={case}"),
        ("analyst", "/api/v1/cohorts/?active=true"),
        ("employer", "/api/v1/notifications/?kind=action_overdue"),
    ],
)
def test_documented_filters_are_accepted(world, api_as, role, url):
    """Filters a view declares with ``filterset_fields`` are known query parameters, not a 400."""
    response = api_as(world.users[role]).get(url.format(**world.ids))
    assert response.status_code == 200, response.content
