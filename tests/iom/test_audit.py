import pytest
from django.db import DatabaseError, connection, transaction

from iom import selectors, services
from iom.models import AppendOnlyError, AuditEvent
from tests.iom import factories
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_view_a_change_and_a_refused_change_each_leave_the_right_event(officer, officer2, person):
    selectors.person_get(user=officer, pk=person.pk)
    services.person_update(acting_user=officer, person=person, version=person.version, last_name="Newname")
    with pytest.raises(Exception):  # noqa: B017  (404 for the other team, tested elsewhere)
        services.person_update(acting_user=officer2, person=person, version=person.version, last_name="X")
    events = list(AuditEvent.objects.order_by("pk").values_list("username", "action", "outcome", "person_id"))
    assert events == [
        ("officer", "view", "done", person.pk),
        ("officer", "change", "done", person.pk),
        ("officer2", "change", "refused", person.pk),
    ]


def test_api_requests_record_request_id_and_ip(api_as, officer, person):
    api_as(officer).get(f"/api/v1/people/{person.pk}/", HTTP_X_REQUEST_ID="req-123")
    event = AuditEvent.objects.get(action="view")
    assert event.request_id == "req-123"
    assert event.ip_address == "127.0.0.1"


def test_searches_are_audited_with_their_query(api_as, officer, person):
    api_as(officer).get("/api/v1/people/", {"q": person.last_name})
    event = AuditEvent.objects.get(action="list")
    assert event.details == {"resource": "people", "query": {"q": [person.last_name]}}


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(officer, person):
    selectors.person_get(user=officer, pk=person.pk)
    event = AuditEvent.objects.get()
    event.action = "delete"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    # Django's own internal manager too (the issue found it changing rows on SQLite).
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.all()._raw_delete(connection.alias)
    assert AuditEvent.objects.get().action == "view"


def test_the_database_refuses_update_and_delete_of_audit_rows(officer, person):
    """A trigger on PostgreSQL and on SQLite alike (migration 0008); only erasure's redaction gets through."""
    selectors.person_get(user=officer, pk=person.pk)
    for statement in ("UPDATE iom_auditevent SET action = 'delete'", "DELETE FROM iom_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get().action == "view"


def test_login_and_failed_login_are_audited(client, officer):
    client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    client.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "username"))
    assert actions == [("login_failed", "officer"), ("login", "officer")]


def test_reading_a_note_action_or_assessment_is_a_view_of_the_person(api_as, officer, case):
    note = factories.NoteFactory(case=case, author=officer)
    action = factories.ActionFactory(case=case, owner=officer)
    assessment = factories.AssessmentFactory(case=case, assessed_by=officer)
    client = api_as(officer)
    for url in (f"/api/v1/notes/{note.pk}/", f"/api/v1/actions/{action.pk}/", f"/api/v1/assessments/{assessment.pk}/"):
        assert client.get(url).status_code == 200
    views = AuditEvent.objects.filter(action="view").values_list("object_type", "person_id")
    assert sorted(views) == sorted(
        [("casenote", case.person_id), ("action", case.person_id), ("pathwayassessment", case.person_id)]
    )
    client.get("/api/v1/actions/", {"overdue": "true"})
    assert AuditEvent.objects.get(action="list").details == {"resource": "actions", "query": {"overdue": ["true"]}}


def test_sign_in_locks_after_five_failures(client, officer):
    for _ in range(5):
        client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session
