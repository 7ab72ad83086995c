"""The subject access pages (web/subject_access/): the person page's link, asking for a bundle, its progress, its
flags, the download (a disclosure in the audit log), earlier bundles, errors, and who may do any of it.

``manager`` manages the Norfolk scheme and sees the shared ``person`` (Norwich); ``outsider_manager`` manages
another scheme and does not. The rich record comes from tests/outcomes/test_subject_access.py.
"""

import datetime
import html
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from iom.models import AuditAction, AuditEvent, Person, SubjectAccessExport, SubjectAccessStatus
from outcomes.services.subject_access import ALREADY_RUNNING, STEPS_TOTAL, subject_access_build
from tests.iom import factories
from tests.outcomes.test_subject_access import rich_person
from tests.web.cohorts.test_pages_cohorts import signed_in
from tests.web.test_pages_html import assert_well_formed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def world(case, officer, probation, partner, employer, coordinator, cohort):
    return rich_person(
        case=case,
        officer=officer,
        probation=probation,
        partner=partner,
        employer=employer,
        coordinator=coordinator,
        cohort=cohort,
    )


def ask(client: Client, person, django_capture_on_commit_callbacks, reason="Letter of 3 March, ref SAR-17"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/people/{person.pk}/subject-access/", {"reason": reason})


def test_managers_see_the_link_on_the_person_page_and_officers_do_not(person, manager, officer):
    link = f'href="/people/{person.pk}/subject-access/"'
    assert link in signed_in(manager).get(f"/people/{person.pk}/").content.decode()
    assert link not in signed_in(officer).get(f"/people/{person.pk}/").content.decode()


def test_a_manager_asks_for_a_bundle_reviews_its_flags_and_downloads_it(
    world, manager, django_capture_on_commit_callbacks
):
    person = world["person"]
    client = signed_in(manager)
    page = client.get(f"/people/{person.pk}/subject-access/")
    assert page.status_code == 200
    assert "No subject access bundle has been produced for this person yet." in text(page)

    response = ask(client, person, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subject-access/{export.pk}/"

    page = text(client.get(f"/subject-access/{export.pk}/"))
    assert "Ready to review" in page
    assert "Review the 10 flagged items below before you release anything." in page
    assert "Restricted note (1)" in page
    assert "Names another person (5)" in page
    assert "Written by a partner organisation (3)" in page
    assert f"Written by {world['update'].by.get_full_name()} (Broadland Housing)." in page
    assert f'href="/subject-access/{export.pk}/download/"' in page
    assert "subject-access-progress.js" not in page  # finished: nothing to poll

    download = client.get(f"/subject-access/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == f'attachment; filename="subject-access-{export.pk}.zip"'
    assert "no-store" in download["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert f"subject-access-{export.pk}/README.html" in archive.namelist()
    disclosed = AuditEvent.objects.get(action=AuditAction.DISCLOSE)
    assert (disclosed.user_id, disclosed.person_id, disclosed.object_id) == (manager.pk, person.pk, str(export.pk))
    assert disclosed.details == {"subject_access_export": export.pk, "recipient": "manager", "flags": 10}

    listing = text(client.get(f"/people/{person.pk}/subject-access/"))
    assert f"Bundle {export.pk}" in listing
    assert "Letter of 3 March, ref SAR-17" in listing


def test_another_manager_of_the_scheme_may_download_a_bundle_they_did_not_ask_for(
    person, manager, police, norwich, django_capture_on_commit_callbacks
):
    ask(signed_in(manager), person, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    colleague = factories.UserFactory(username="manager2", role="iom_manager", organisation=police, teams=[norwich])
    assert signed_in(colleague).get(f"/subject-access/{export.pk}/download/").status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.DISCLOSE).user_id == colleague.pk


def test_a_request_without_a_reference_is_refused_with_a_clear_error_and_writes_nothing(person, manager):
    response = signed_in(manager).post(f"/people/{person.pk}/subject-access/", {"reason": "  "})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Enter the request's reference or how it arrived." in page
    assert not SubjectAccessExport.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_person_already_being_exported_is_an_error_naming_the_running_bundle(person, manager):
    client = signed_in(manager)
    client.post(f"/people/{person.pk}/subject-access/", {"reason": "Letter"})  # the build waits for the commit
    running = SubjectAccessExport.objects.get()
    response = client.post(f"/people/{person.pk}/subject-access/", {"reason": "Letter again"})
    page = text(response)
    assert ALREADY_RUNNING in page
    assert f'href="/subject-access/{running.pk}/"' in page
    assert SubjectAccessExport.objects.count() == 1


def test_a_bundle_being_built_shows_its_progress_and_polls_for_more(person, manager):
    export = SubjectAccessExport.objects.create(
        person=person, requested_by=manager, reason="Letter", status=SubjectAccessStatus.BUILDING, steps_total=18
    )
    SubjectAccessExport.objects.filter(pk=export.pk).update(steps_done=9, attempts=1, started_at=timezone.now())
    client = signed_in(manager)
    page = client.get(f"/subject-access/{export.pk}/").content.decode()
    assert '<script src="/static/web/subject-access-progress.js" defer></script>' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'data-poll-url="/subject-access/{export.pk}/progress/"' in page
    assert 'value="50"' in page
    assert "/download/" not in page
    progress = client.get(f"/subject-access/{export.pk}/progress/").json()
    assert progress == {
        "status": "building",
        "status_label": "Building",
        "steps_done": 9,
        "steps_total": 18,
        "percent": 50,
        "finished": False,
    }
    assert client.get(f"/subject-access/{export.pk}/download/").status_code == 404
    subject_access_build(export_id=export.pk)  # claimed already: the worker holding it finishes it
    assert client.get(f"/subject-access/{export.pk}/progress/").json()["finished"] is False


def test_a_queued_bundle_is_built_and_its_progress_reaches_every_step(person, manager):
    export = SubjectAccessExport.objects.create(person=person, requested_by=manager, reason="Letter")
    subject_access_build(export_id=export.pk)
    progress = signed_in(manager).get(f"/subject-access/{export.pk}/progress/").json()
    assert progress["finished"] is True
    assert (progress["steps_done"], progress["steps_total"], progress["percent"]) == (STEPS_TOTAL, STEPS_TOTAL, 100)


def test_a_failed_build_shows_its_message_and_a_way_to_ask_again(person, manager):
    export = SubjectAccessExport.objects.create(
        person=person,
        requested_by=manager,
        reason="Letter",
        status=SubjectAccessStatus.FAILED,
        error="The bundle stopped twice before it was finished.",
        finished_at=timezone.now(),
    )
    client = signed_in(manager)
    page = text(client.get(f"/subject-access/{export.pk}/"))
    assert "The bundle was not built" in page
    assert "The bundle stopped twice before it was finished." in page
    assert f'href="/people/{person.pk}/subject-access/"' in page
    assert client.get(f"/subject-access/{export.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSE).exists()


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "employer", "coordinator", "analyst", "admin"])
def test_other_roles_are_refused_every_subject_access_page(person, manager, all_roles, role):
    export = SubjectAccessExport.objects.create(person=person, requested_by=manager, status=SubjectAccessStatus.READY)
    client = signed_in(all_roles[role])
    for url in (
        f"/people/{person.pk}/subject-access/",
        f"/subject-access/{export.pk}/",
        f"/subject-access/{export.pk}/progress/",
        f"/subject-access/{export.pk}/download/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/people/{person.pk}/subject-access/", {"reason": "Letter"}).status_code == 403
    assert SubjectAccessExport.objects.count() == 1


def test_a_manager_of_another_scheme_finds_nothing(
    person, manager, outsider_manager, django_capture_on_commit_callbacks
):
    Person.objects.filter(pk=person.pk).update(last_name="Quarrington-Vesey")  # a name no page carries by itself
    person.refresh_from_db()
    ask(signed_in(manager), person, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    client = signed_in(outsider_manager)
    for url in (
        f"/people/{person.pk}/subject-access/",
        f"/subject-access/{export.pk}/",
        f"/subject-access/{export.pk}/progress/",
        f"/subject-access/{export.pk}/download/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert person.last_name not in response.content.decode()
    assert client.post(f"/people/{person.pk}/subject-access/", {"reason": "Letter"}).status_code == 404
    assert SubjectAccessExport.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSE).exists()


def test_the_list_of_a_persons_bundles_reads_in_the_same_number_of_queries_for_2_or_30(
    person, manager, django_assert_max_num_queries
):
    client = signed_in(manager)
    url = f"/people/{person.pk}/subject-access/"

    def add(count: int) -> None:
        for number in range(count):
            export = SubjectAccessExport.objects.create(
                person=person, requested_by=manager, reason=f"Letter {number}", status=SubjectAccessStatus.READY
            )
            SubjectAccessExport.objects.filter(pk=export.pk).update(
                requested_at=timezone.now() - datetime.timedelta(days=number)
            )

    def measure() -> int:
        client.get(url)
        with django_assert_max_num_queries(16) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(2)
    small = measure()
    add(28)
    large = measure()
    assert small == large


def test_every_subject_access_page_is_well_formed_in_each_state(world, manager, django_capture_on_commit_callbacks):
    person = world["person"]
    client = signed_in(manager)
    assert_well_formed(client.get(f"/people/{person.pk}/subject-access/"))
    assert_well_formed(client.post(f"/people/{person.pk}/subject-access/", {"reason": ""}))  # the error summary
    ask(client, person, django_capture_on_commit_callbacks)
    ready = SubjectAccessExport.objects.get()
    assert_well_formed(client.get(f"/subject-access/{ready.pk}/"))
    assert_well_formed(client.get(f"/people/{person.pk}/subject-access/"))
    building = SubjectAccessExport.objects.create(
        person=person, requested_by=manager, status=SubjectAccessStatus.BUILDING, steps_total=STEPS_TOTAL
    )
    assert_well_formed(client.get(f"/subject-access/{building.pk}/"))
    assert_well_formed(client.get(f"/people/{person.pk}/subject-access/"))  # with the "being built" notice
    assert_well_formed(client.get(f"/people/{person.pk}/corrections/"))


def test_a_bundle_whose_file_is_gone_is_a_404_and_discloses_nothing(
    person, manager, django_capture_on_commit_callbacks
):
    ask(signed_in(manager), person, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    export.file.storage.delete(export.file.name)
    assert signed_in(manager).get(f"/subject-access/{export.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSE).exists()
