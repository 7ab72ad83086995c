import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from iom import selectors
from iom.models import AuditEvent, Role, Team
from iom.services import role_validate

pytestmark = pytest.mark.django_db


def test_roles_must_fit_the_organisation(police, opcc):
    role_validate(role=Role.IOM_OFFICER, organisation=police)
    role_validate(role=Role.ADMINISTRATOR, organisation=police)
    with pytest.raises(ValidationError) as excinfo:
        role_validate(role=Role.EMPLOYER, organisation=police)
    assert "role" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        role_validate(role=Role.IOM_OFFICER, organisation=opcc)


def test_the_administrator_manages_reference_data_but_no_case_content(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/iom/team/").status_code == 200
    assert client.get("/django-admin/iom/user/").status_code == 200
    assert client.get("/django-admin/iom/person/").status_code == 404
    assert client.get("/django-admin/iom/case/").status_code == 404


def test_other_roles_cannot_use_the_admin(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.get("/django-admin/iom/team/").status_code in (302, 403)


def test_the_admin_audit_view_hides_changed_values(client, admin_user, officer, person):
    selectors.person_get(user=officer, pk=person.pk)
    client.force_login(admin_user)
    response = client.get("/django-admin/iom/auditevent/")
    assert response.status_code == 200
    assert b"officer" in response.content


def test_admin_changes_are_audited(client, admin_user, norfolk):
    client.force_login(admin_user)
    response = client.post("/django-admin/iom/team/add/", {"name": "Thetford IOM", "scheme": norfolk.pk})
    assert response.status_code == 302
    team = Team.objects.get(name="Thetford IOM")
    event = AuditEvent.objects.get(action="create", object_type="team")
    assert event.object_id == str(team.pk)
    assert event.username == "admin"


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")
    with pytest.raises(CommandError, match="seed_demo_partners"):
        call_command("seed_demo_partners")


def test_access_is_not_changed_in_the_admin_and_accounts_are_not_made_there(client, admin_user, officer, manager):
    client.force_login(admin_user)
    assert client.get("/django-admin/iom/user/add/").status_code == 403
    page = client.get(f"/django-admin/iom/user/{admin_user.pk}/change/").content.decode()
    assert 'name="role"' not in page and 'name="teams"' not in page and 'name="is_active"' not in page
    response = client.post(
        f"/django-admin/iom/user/{admin_user.pk}/change/",
        {"username": "admin", "first_name": "A", "last_name": "Dmin", "email": "", "role": Role.IOM_MANAGER},
    )
    assert response.status_code in (200, 302)
    admin_user.refresh_from_db()
    assert admin_user.get_role_display() == "Administrator"
