"""Subject access bundles (issue 12 section 2): what the zip holds, what it flags, the background build with its
progress, the reaper, refusals and the audit (outcomes.services.subject_access, outcomes.tasks).

``rich_person`` gives the shared ``person`` (a Norwich case led by ``officer``) a record of every kind, with the
things a reviewer must see flagged: a restricted and an intelligence note, a housing partner's acceptance and
progress update, an employer's placement event, a referral's support contacts and a partner's view in the audit.
The web tests (tests/web/test_subject_access_pages.py) use it too.
"""

import csv
import datetime
import html
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iom.audit import audit_record
from iom.csv_export import neutralise_cell
from iom.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    BreakGlassAccess,
    NoteType,
    Organisation,
    OrganisationType,
    Sensitivity,
    SubjectAccessExport,
    SubjectAccessStatus,
    User,
)
from outcomes import tasks
from outcomes.selectors import subject_access_records
from outcomes.selectors.subject_access_records import SECTIONS, cell
from outcomes.services import subject_access
from outcomes.services.subject_access import (
    ABANDONED,
    ALREADY_RUNNING,
    STEPS_TOTAL,
    subject_access_build,
    subject_access_reap,
    subject_access_request,
)
from partners.models import ServiceType
from referrals.models import (
    DisclosedConviction,
    PlacementEventKind,
    ReferralState,
    ReferralTransition,
    ReferralUpdate,
)
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, OffenceRecordFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementEventFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.invalid","click")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Bundles go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def rich_person(*, case, officer, probation, partner, employer, coordinator, cohort, notes: int = 1) -> dict:
    """Every kind of record about ``case.person``; ``notes`` ordinary notes (and as many actions and views)."""
    person = case.person
    person.aliases = "Deano\nD Blackthorn"
    person.save()
    factories.MembershipFactory(
        person=person,
        cohort=cohort,
        adopted_on=days_ago(400),
        exited_on=days_ago(30),
        exit_reason="Stopped offending",
        decided_by=officer,
        exit_decided_by=probation,
    )
    factories.AssessmentFactory(case=case, assessed_by=officer, notes="Sofa surfing at his sister's")
    for number in range(notes):
        factories.ActionFactory(case=case, owner=officer, description=f"Chase the housing application {number}")
        factories.NoteFactory(case=case, author=probation, text=f"Seen at home {number}")
        audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    restricted = factories.NoteFactory(
        case=case, author=officer, sensitivity=Sensitivity.RESTRICTED, text="Subject of an ongoing investigation"
    )
    intelligence = factories.NoteFactory(case=case, author=officer, note_type=NoteType.INTELLIGENCE, text=FORMULA)
    housing = ServiceFactory(organisation=partner.organisation, name="Tenancy sustainment")
    consent = ConsentFactory(person=person, scope_organisation=partner.organisation, scope_service_type="")
    referral = ReferralFactory(
        case=case, service=housing, state=ReferralState.ACCEPTED, consent=consent, created_by=officer
    )
    accepted = ReferralTransition.objects.create(
        referral=referral, from_state="submitted", to_state="accepted", by=partner, reason="Has a bed for him"
    )
    update = ReferralUpdate.objects.create(referral=referral, text="Viewed a flat with his mother, Jean", by=partner)
    gateway = ServiceFactory(organisation=coordinator.organisation, service_type=ServiceType.EMPLOYMENT)
    employment = ReferralFactory(
        case=case,
        service=gateway,
        state=ReferralState.ACCEPTED,
        created_by=officer,
        disclosure_approved_by=officer,
        disclosure_approved_at=timezone.now(),
        support_contacts="PC Jo Hart, 01603 000000",
    )
    DisclosedConviction.objects.create(
        referral=employment, offence_category="shoplifting", sentence_type="fine", convicted_on=days_ago(900)
    )
    opportunity = OpportunityFactory(
        employer=EmployerFactory(organisation=employer.organisation), title="Care assistant", created_by=coordinator
    )
    placement = PlacementFactory(referral=employment, opportunity=opportunity, matched_by=coordinator)
    event = PlacementEventFactory(
        placement=placement, kind=PlacementEventKind.STARTED, recorded_by=employer, reason="Started on nights"
    )
    InterventionFactory(case=case, recorded_by=officer)
    OffenceRecordFactory(person=person, record_id="NRF-0001")
    opened = BreakGlassAccess.objects.create(
        user=officer,
        person=person,
        reason="Arrested overnight",
        expires_at=timezone.now() + datetime.timedelta(hours=8),
    )
    partner_view = audit_record(user=partner, action=AuditAction.VIEW, obj=referral, person=person)
    return {
        "person": person,
        "restricted": restricted,
        "intelligence": intelligence,
        "accepted": accepted,
        "update": update,
        "employment": employment,
        "event": event,
        "opened": opened,
        "partner_view": partner_view,
    }


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


def produce(manager, person, django_capture_on_commit_callbacks, reason="Letter of 3 March, ref SAR-17"):
    """Ask for the bundle and let the (eager) build run after the commit, as it would on a worker."""
    with django_capture_on_commit_callbacks(execute=True):
        export = subject_access_request(acting_user=manager, person=person, reason=reason)
    export.refresh_from_db()
    return export


def unzipped(export: SubjectAccessExport) -> dict[str, str]:
    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return {name.split("/", 1)[1]: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_bundle_holds_every_kind_of_record_and_each_csv_says_what_the_json_says(
    world, manager, django_capture_on_commit_callbacks
):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    assert export.status == SubjectAccessStatus.READY
    assert (export.steps_done, export.steps_total) == (STEPS_TOTAL, STEPS_TOTAL)
    files = unzipped(export)
    expected = {"README.html", "subject-access.json", "flags.csv", *(f"{s.key}.csv" for s in SECTIONS)}
    assert set(files) == expected
    everything = json.loads(files["subject-access.json"])
    assert everything["documents"] == []
    for section in SECTIONS:
        rows = everything["sections"][section.key]
        assert rows, f"{section.key} is empty: the rich person has a record of every kind"
        lines = list(csv.reader(io.StringIO(files[f"{section.key}.csv"])))
        assert lines[0] == list(section.columns)
        assert lines[1:] == [[neutralise_cell(cell(row[column])) for column in section.columns] for row in rows]
    person = everything["sections"]["person"][0]
    assert (person["pnc_id"], person["aliases"]) == (world["person"].pnc_id, ["Deano", "D Blackthorn"])
    assert everything["subject_access_request"]["reason"] == "Letter of 3 March, ref SAR-17"
    # Another team's records are held too: a subject access request covers everything, not the manager's view.
    assert {row["record_id"] for row in everything["sections"]["offence_records"]} == {"NRF-0001"}


def test_a_formula_in_free_text_is_defused_in_the_csv_and_kept_as_written_in_the_json(
    world, manager, django_capture_on_commit_callbacks
):
    files = unzipped(produce(manager, world["person"], django_capture_on_commit_callbacks))
    texts = [row["text"] for row in json.loads(files["subject-access.json"])["sections"]["notes"]]
    assert FORMULA in texts
    assert f"'{FORMULA}" in {line[6] for line in csv.reader(io.StringIO(files["notes.csv"]))}


def test_restricted_and_intelligence_notes_third_party_names_and_partner_text_are_flagged(
    world, manager, django_capture_on_commit_callbacks
):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    flagged = {(flag["section"], flag["record"], flag["reason"]) for flag in export.flags}
    assert flagged == {
        ("notes", str(world["restricted"].pk), "restricted"),
        ("notes", str(world["intelligence"].pk), "intelligence"),
        ("referrals", str(world["employment"].pk), "third_party"),
        ("referral_history", str(world["accepted"].pk), "third_party"),
        ("referral_history", str(world["accepted"].pk), "partner_text"),
        ("referral_updates", str(world["update"].pk), "third_party"),
        ("referral_updates", str(world["update"].pk), "partner_text"),
        ("placement_events", str(world["event"].pk), "third_party"),
        ("placement_events", str(world["event"].pk), "partner_text"),
        ("audit", str(world["partner_view"].pk), "third_party"),
    }
    files = unzipped(export)
    assert json.loads(files["subject-access.json"])["flags"] == export.flags
    assert len(list(csv.reader(io.StringIO(files["flags.csv"])))) == len(export.flags) + 1


def test_the_cover_says_what_this_is_who_asked_what_each_file_holds_and_what_is_flagged(
    world, manager, django_capture_on_commit_callbacks
):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    cover = html.unescape(unzipped(export)["README.html"])  # names such as O'Brien are escaped in the markup
    assert "Data Protection Act 2018, section 45" in cover
    assert world["person"].full_name in cover
    assert manager.get_full_name() in cover
    assert "Letter of 3 March, ref SAR-17" in cover
    assert "it holds no documents about anyone, so none are included" in cover
    for section in SECTIONS:
        assert f"{section.key}.csv" in cover
    assert f"{len(export.flags)} items must be looked at before this bundle is given to anyone" in cover
    assert "Restricted note" in cover
    assert f"Written by {world['update'].by.get_full_name()} (Broadland Housing)." in cover
    assert "Viewed a flat with his mother, Jean" not in cover  # the cover says where to look, not what it says


def test_producing_is_audited_as_an_export_naming_who_asked_and_why(world, manager, django_capture_on_commit_callbacks):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    row = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="subjectaccessexport")
    assert (row.user_id, row.person_id, row.object_id) == (manager.pk, world["person"].pk, str(export.pk))
    assert row.justification == "Letter of 3 March, ref SAR-17"
    # The bundle's own audit section holds that row: it is read up to the moment the build began.
    audit = json.loads(unzipped(export)["subject-access.json"])["sections"]["audit"]
    assert str(export.pk) in {entry["record_id"] for entry in audit}


def test_the_build_moves_its_progress_and_heartbeat_on_after_each_section(
    world, manager, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []

    def watching(section):
        def read(reading):
            export = SubjectAccessExport.objects.get(person_id=reading.person_id)
            seen.append((section.key, export.status, export.steps_done, export.heartbeat_at))
            return section.read(reading)

        return subject_access_records.Section(section.key, section.title, section.about, section.columns, read)

    monkeypatch.setattr(subject_access, "SECTIONS", tuple(watching(section) for section in SECTIONS))
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    assert [done for _, _, done, _ in seen] == list(range(len(SECTIONS)))
    assert {status for _, status, _, _ in seen} == {SubjectAccessStatus.BUILDING}
    heartbeats = [beat for *_, beat in seen]
    assert heartbeats == sorted(heartbeats)
    assert export.status == SubjectAccessStatus.READY


def test_a_second_delivery_of_the_task_does_nothing(world, manager, django_capture_on_commit_callbacks):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    assert tasks.build_subject_access(export.pk) == SubjectAccessStatus.READY
    export.refresh_from_db()
    assert export.attempts == 1
    assert tasks.build_subject_access(999_999) is None


def test_the_build_reads_in_the_same_number_of_queries_for_1_or_30_of_each_record(
    case, officer, probation, partner, employer, coordinator, cohort, manager, django_capture_on_commit_callbacks
):
    world = rich_person(
        case=case,
        officer=officer,
        probation=probation,
        partner=partner,
        employer=employer,
        coordinator=coordinator,
        cohort=cohort,
    )

    def measure() -> int:
        export = SubjectAccessExport.objects.create(person=world["person"], requested_by=manager, reason="x")
        with CaptureQueriesContext(connection) as captured:
            subject_access_build(export_id=export.pk)
        export.refresh_from_db()
        assert export.status == SubjectAccessStatus.READY
        return len(captured)

    small = measure()
    for number in range(30):
        factories.ActionFactory(case=case, owner=officer)
        factories.NoteFactory(case=case, author=partner if number % 2 else probation)
        OffenceRecordFactory(person=world["person"])
        audit_record(user=officer, action=AuditAction.VIEW, obj=world["person"])
    large = measure()
    assert small == large
    assert large <= 2 * len(SECTIONS) + 10


def test_a_failed_build_says_so_and_keeps_no_file(world, manager, monkeypatch, django_capture_on_commit_callbacks):
    def broken(reading):
        raise RuntimeError("disk full")

    first, *rest = SECTIONS
    monkeypatch.setattr(
        subject_access,
        "SECTIONS",
        (subject_access_records.Section(first.key, first.title, first.about, first.columns, broken), *rest),
    )
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    assert export.status == SubjectAccessStatus.FAILED
    assert export.error.startswith("The bundle could not be built (RuntimeError). Nothing was released.")
    assert not export.file
    assert export.finished_at is not None


# --- Refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "employer", "coordinator", "analyst", "admin"])
def test_only_iom_managers_produce_bundles(person, all_roles, role):
    with pytest.raises(PermissionDenied):
        subject_access_request(acting_user=all_roles[role], person=person, reason="Letter")
    assert not SubjectAccessExport.objects.exists()


def test_a_manager_of_another_scheme_gets_a_404_and_the_attempt_is_audited(person, outsider_manager):
    with pytest.raises(Http404):
        subject_access_request(acting_user=outsider_manager, person=person, reason="Letter")
    assert not SubjectAccessExport.objects.exists()
    refused = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refused.user_id, refused.person_id) == (outsider_manager.pk, person.pk)
    assert refused.details["attempted"] == "produce subject access"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_request_needs_a_reference_of_a_sensible_length(person, manager, reason):
    with pytest.raises(ValidationError) as raised:
        subject_access_request(acting_user=manager, person=person, reason=reason)
    assert "reason" in raised.value.message_dict
    assert not SubjectAccessExport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_person_already_being_exported_is_refused_until_the_build_has_finished(
    person, manager, django_capture_on_commit_callbacks
):
    first = subject_access_request(acting_user=manager, person=person, reason="Letter")  # build not run yet
    with pytest.raises(ValidationError) as raised:
        subject_access_request(acting_user=manager, person=person, reason="Letter again")
    assert raised.value.message_dict["__all__"] == [ALREADY_RUNNING]
    assert SubjectAccessExport.objects.count() == 1
    subject_access_build(export_id=first.pk)
    assert produce(manager, person, django_capture_on_commit_callbacks).status == SubjectAccessStatus.READY


def test_the_database_itself_keeps_one_running_bundle_per_person(person, manager):
    SubjectAccessExport.objects.create(person=person, requested_by=manager, status=SubjectAccessStatus.BUILDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessExport.objects.create(person=person, requested_by=manager)
    SubjectAccessExport.objects.create(person=person, requested_by=manager, status=SubjectAccessStatus.READY)


# --- The reaper -------------------------------------------------------------------------------------------------


def died(export: SubjectAccessExport, *, attempts: int = 1, minutes_ago: int = 20) -> None:
    """What a worker killed mid-build leaves behind: building, with a heartbeat that stopped."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        status=SubjectAccessStatus.BUILDING, attempts=attempts, started_at=then, heartbeat_at=then, steps_done=3
    )


def test_a_bundle_whose_worker_died_is_built_again_into_the_same_file(
    world, manager, media, django_capture_on_commit_callbacks
):
    export = produce(manager, world["person"], django_capture_on_commit_callbacks)
    first_name = export.file.name
    died(export)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reap_subject_access() == [1, 0]
    export.refresh_from_db()
    assert (export.status, export.attempts, export.file.name) == (SubjectAccessStatus.READY, 2, first_name)
    assert [path.name for path in (media / "subject-access").iterdir()] == [f"subject-access-{export.pk}.zip"]
    assert unzipped(export)["subject-access.json"]


def test_a_second_death_fails_the_bundle_with_a_clear_message(person, manager, django_capture_on_commit_callbacks):
    export = SubjectAccessExport.objects.create(person=person, requested_by=manager, reason="Letter")
    died(export, attempts=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert subject_access_reap() == (0, 1)
    assert callbacks == []
    export.refresh_from_db()
    assert (export.status, export.error) == (SubjectAccessStatus.FAILED, ABANDONED)
    assert export.finished_at is not None


def test_a_build_still_showing_signs_of_life_or_finished_is_left_alone(person, manager):
    alive = SubjectAccessExport.objects.create(person=person, requested_by=manager, reason="Letter")
    died(alive, minutes_ago=5)
    other = factories.CaseFactory(team=alive.person.cases.first().team).person
    done = SubjectAccessExport.objects.create(person=other, requested_by=manager, status=SubjectAccessStatus.READY)
    SubjectAccessExport.objects.filter(pk=done.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=2))
    assert subject_access_reap() == (0, 0)
    assert subject_access_reap(stale_after=datetime.timedelta(minutes=1)) == (1, 0)  # only the building one
    done.refresh_from_db()
    assert done.status == SubjectAccessStatus.READY


def test_a_worker_the_reaper_gave_up_on_writes_nothing_when_it_wakes(world, manager, media):
    export = SubjectAccessExport.objects.create(person=world["person"], requested_by=manager, reason="Letter")
    take = subject_access._Take(export_id=export.pk, attempt=1)
    SubjectAccessExport.objects.filter(pk=export.pk).update(status=SubjectAccessStatus.BUILDING, attempts=2)
    assert subject_access._store(export=export, take=take, archive=b"stale") is None
    assert not (media / "subject-access").exists()


def test_partner_organisations_of_every_kind_count_as_third_parties_but_police_probation_and_opcc_do_not():
    def user_of(kind):
        return User(username=kind, organisation=Organisation(name=kind, type=kind))

    outsiders = {kind for kind in OrganisationType.values if subject_access_records.is_outsider(user_of(kind))}
    assert outsiders == set(OrganisationType.values) - {"police", "probation", "opcc"}
    assert subject_access_records.is_outsider(User(username="nobody")) is True
    assert subject_access_records.is_outsider(None) is False
