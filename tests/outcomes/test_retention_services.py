"""The retention review's services (outcomes/services/retention.py, docs/retention.md): the nightly refresh of
review dates, decisions to retain, and disposal, which erases a person's personal data in one transaction."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import Http404
from django.utils import timezone

from iom import access, audit_chain
from iom.audit import audit_record
from iom.background import task_named
from iom.dates import add_months, age_on
from iom.models import (
    Action,
    ActionStatus,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    BreakGlassAccess,
    CaseStatus,
    CaseUserObjectPermission,
    Notification,
    Person,
    SubjectAccessExport,
    SubjectAccessStatus,
)
from iom.services import case_open, membership_adopt, person_update
from outcomes.erasure import ERASED_TEXT
from outcomes.metrics.reoffending import age_band
from outcomes.models import (
    InterventionOutcome,
    OffenceOutcome,
    OffenceRecord,
    RetentionDecision,
    RetentionDecisionKind,
    RetentionSchedule,
)
from outcomes.selectors.retention import retention_basis_for, retention_queue
from outcomes.services.retention import (
    erased_reference,
    retention_dispose,
    retention_retain,
    retention_schedules_refresh,
)
from outcomes.tasks import refresh_retention_schedules
from referrals.models import DisclosedConviction, ReferralState, ReferralTransition, ReferralUpdate
from referrals.services import consent_record, referral_create
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, OffenceRecordFactory
from tests.partners.factories import ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementEventFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    return add_months(TODAY, -12 * years) - datetime.timedelta(days=days)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def due_person(**kwargs) -> Person:
    """A person nobody manages (IOM managers see them) whose only record is a caution eight years ago: group 3."""
    person = factories.PersonFactory(**kwargs)
    OffenceRecordFactory(
        person=person, offence_date=years_ago(8), outcome_date=years_ago(8) + datetime.timedelta(days=20)
    )
    retention_schedules_refresh()
    return person


# --- The basis of a review date -------------------------------------------------------------------------------


def test_the_last_activity_is_the_latest_date_across_every_record_about_the_person(norwich, officer):
    person = factories.PersonFactory()
    OffenceRecordFactory(person=person, offence_category="shoplifting", offence_date=years_ago(12))
    OffenceRecordFactory(person=person, offence_category="robbery", offence_date=years_ago(11))
    factories.MembershipFactory(person=person, adopted_on=years_ago(10), exited_on=years_ago(9), exit_reason="Moved")
    case = factories.CaseFactory(
        person=person, team=norwich, status=CaseStatus.CLOSED, opened_on=years_ago(10), closed_on=years_ago(9)
    )
    factories.NoteFactory(case=case, author=officer, occurred_on=years_ago(9, days=-40))
    basis = retention_basis_for(person=person)
    assert basis.group == 2 and basis.group_category == "robbery"
    assert (basis.last_activity_on, basis.last_activity_source) == (years_ago(9, days=-40), "case note")
    assert basis.active_reason == ""
    assert basis.next_review_on == add_months(years_ago(9, days=-40), 120)


def test_times_count_as_their_day_in_london(norwich, officer):
    person = factories.PersonFactory()
    case = factories.CaseFactory(
        person=person, team=norwich, status=CaseStatus.CLOSED, opened_on=years_ago(9), closed_on=years_ago(9)
    )
    action = factories.ActionFactory(case=case, owner=officer)
    # 23:30 UTC on a summer day is 00:30 the next day in London.
    summer = datetime.date(TODAY.year - 7, 7, 1)
    Action.objects.filter(pk=action.pk).update(
        updated_at=datetime.datetime.combine(summer, datetime.time(23, 30), tzinfo=datetime.UTC)
    )
    basis = retention_basis_for(person=person)
    assert (basis.last_activity_on, basis.last_activity_source) == (summer + datetime.timedelta(days=1), "action")


def test_a_person_with_no_records_is_reviewed_from_the_day_they_were_recorded():
    person = factories.PersonFactory()
    basis = retention_basis_for(person=person)
    assert (basis.group, basis.group_category) == (3, "")
    assert (basis.last_activity_on, basis.last_activity_source) == (TODAY, "person recorded")
    assert basis.next_review_on == add_months(TODAY, 72)


@pytest.mark.parametrize(
    "make",
    [
        lambda person, team: factories.CaseFactory(person=person, team=team),
        lambda person, team: factories.MembershipFactory(person=person, adopted_on=years_ago(9)),
        lambda person, team: ReferralFactory(
            case__person=person,
            case__team=team,
            case__status=CaseStatus.CLOSED,
            case__closed_on=years_ago(9),
            state=ReferralState.SUBMITTED,
        ),
        lambda person, team: InterventionFactory(
            case__person=person,
            case__team=team,
            case__status=CaseStatus.CLOSED,
            case__closed_on=years_ago(9),
            started_on=years_ago(9),
            outcome=InterventionOutcome.ONGOING,
        ),
        lambda person, team: PlacementFactory(
            referral__case__person=person,
            referral__case__team=team,
            referral__case__status=CaseStatus.CLOSED,
            referral__case__closed_on=years_ago(9),
            referral__state=ReferralState.WITHDRAWN,
            started_on=years_ago(9),
        ),
        lambda person, team: OffenceRecordFactory(
            person=person, custody=True, offence_date=years_ago(9), outcome_date=years_ago(9), release_date=None
        ),
    ],
    ids=[
        "open case",
        "current cohort member",
        "live referral",
        "intervention under way",
        "placement under way",
        "in custody",
    ],
)
def test_nobody_is_due_while_under_active_management(make, norwich, request):
    person = factories.PersonFactory()
    OffenceRecordFactory(person=person, offence_date=years_ago(12))
    make(person, norwich)
    basis = retention_basis_for(person=person)
    assert basis.active_reason == request.node.callspec.id
    assert basis.next_review_on is None


# --- The nightly refresh ---------------------------------------------------------------------------------------


def test_a_cohort_exit_joins_the_queue_by_itself_when_its_period_runs_out(manager, cohort):
    leaver = factories.PersonFactory()
    factories.MembershipFactory(
        person=leaver, cohort=cohort, adopted_on=years_ago(8), exited_on=years_ago(6, days=-3), exit_reason="Moved"
    )
    refresh_retention_schedules()  # the nightly task's body
    assert list(retention_queue(user=manager)) == []
    three_days_on = TODAY + datetime.timedelta(days=3)
    refresh_retention_schedules(three_days_on.isoformat())
    assert [row.person for row in retention_queue(user=manager, on=three_days_on)] == [leaver]


def test_the_refresh_runs_every_night_after_the_snapshots(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-retention-schedules"]
    assert entry["task"] == "outcomes.tasks.refresh_retention_schedules"
    assert entry["schedule"].hour == {3}
    assert task_named(entry["task"]).name == refresh_retention_schedules.name


def test_a_closed_case_joins_the_queue_when_its_period_runs_out(manager, norwich):
    person = factories.PersonFactory()
    factories.CaseFactory(
        person=person, team=norwich, status=CaseStatus.CLOSED, opened_on=years_ago(8), closed_on=years_ago(6, days=1)
    )
    assert retention_schedules_refresh() == 1
    (row,) = retention_queue(user=manager)
    assert (row.person, row.next_review_on, row.last_activity_source) == (person, years_ago(0, days=1), "case")


def test_the_refresh_is_idempotent_and_its_queries_do_not_grow_with_the_people(django_assert_max_num_queries):
    for _ in range(3):
        due_person()
    with django_assert_max_num_queries(40) as few:
        retention_schedules_refresh()
    first = list(RetentionSchedule.objects.values_list("person_id", "next_review_on", "group", "last_activity_on"))
    for _ in range(30):
        OffenceRecordFactory(offence_date=years_ago(8))
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        retention_schedules_refresh()
    retention_schedules_refresh()
    again = RetentionSchedule.objects.values_list("person_id", "next_review_on", "group", "last_activity_on")
    assert set(first) <= set(again)
    assert RetentionSchedule.objects.count() == 33


def test_the_refresh_works_in_batches(django_assert_max_num_queries):
    people = [due_person() for _ in range(5)]
    RetentionSchedule.objects.all().delete()
    assert retention_schedules_refresh(batch_size=2) == 5
    assert set(RetentionSchedule.objects.values_list("person_id", flat=True)) == {p.pk for p in people}


def test_the_queue_holds_only_people_the_manager_sees(manager, outsider_manager, norwich, suffolk_team):
    ours = factories.PersonFactory()
    factories.CaseFactory(
        person=ours, team=norwich, status=CaseStatus.CLOSED, opened_on=years_ago(9), closed_on=years_ago(8)
    )
    theirs = factories.PersonFactory()
    factories.CaseFactory(
        person=theirs, team=suffolk_team, status=CaseStatus.CLOSED, opened_on=years_ago(9), closed_on=years_ago(8)
    )
    retention_schedules_refresh()
    assert [row.person for row in retention_queue(user=manager)] == [ours]
    assert [row.person for row in retention_queue(user=outsider_manager)] == [theirs]


# --- Decisions to retain ---------------------------------------------------------------------------------------


def test_a_manager_retains_a_person_with_a_reason_and_a_date(manager):
    person = due_person()
    until = add_months(TODAY, 24)
    decision = retention_retain(
        acting_user=manager, person=person, reason=" Still assessed as a risk ", next_review_on=until
    )
    assert (decision.decision, decision.reason, decision.next_review_on, decision.group) == (
        "retain",
        "Still assessed as a risk",
        until,
        3,
    )
    assert RetentionSchedule.objects.get(person=person).next_review_on == until
    assert list(retention_queue(user=manager)) == []
    retention_schedules_refresh()  # the night after, the decision still holds
    assert RetentionSchedule.objects.get(person=person).next_review_on == until
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_DECISION)
    assert (event.person_id, event.user_id, event.justification) == (person.pk, manager.pk, "Still assessed as a risk")
    assert event.details["decision"] == "retain" and event.details["next_review_on"] == until.isoformat()


@pytest.mark.parametrize(
    ("reason", "until", "field"),
    [
        ("", add_months(TODAY, 12), "reason"),
        ("Still a risk", TODAY, "next_review_on"),
        ("Still a risk", add_months(TODAY, 72) + datetime.timedelta(days=1), "next_review_on"),
        ("Still a risk", None, "next_review_on"),
    ],
)
def test_a_decision_to_retain_needs_a_reason_and_a_date_in_the_groups_period(manager, reason, until, field):
    person = due_person()
    with pytest.raises(ValidationError) as refused:
        retention_retain(acting_user=manager, person=person, reason=reason, next_review_on=until)
    assert field in refused.value.message_dict
    assert not RetentionDecision.objects.exists()


def test_a_person_not_yet_due_cannot_be_decided_on(manager):
    person = factories.PersonFactory()
    OffenceRecordFactory(person=person, offence_date=years_ago(2))
    with pytest.raises(ValidationError, match="No review is due until"):
        retention_retain(acting_user=manager, person=person, reason="x", next_review_on=add_months(TODAY, 12))
    with pytest.raises(ValidationError, match="No review is due until"):
        retention_dispose(acting_user=manager, person=person)
    assert not RetentionDecision.objects.exists()
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_only_iom_managers_review_and_only_people_they_see(officer, outsider_manager, manager, norwich):
    person = factories.PersonFactory()
    factories.CaseFactory(
        person=person, team=norwich, status=CaseStatus.CLOSED, opened_on=years_ago(9), closed_on=years_ago(8)
    )
    with pytest.raises(PermissionDenied):
        retention_dispose(acting_user=officer, person=person)
    with pytest.raises(Http404):
        retention_dispose(acting_user=outsider_manager, person=person)
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refusal.user_id, refusal.person_id, refusal.details["attempted"]) == (
        outsider_manager.pk,
        person.pk,
        "dispose",
    )
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_group_1_is_retained_not_disposed_of_before_the_person_is_100(manager):
    person = factories.PersonFactory(date_of_birth=datetime.date(1970, 1, 1))
    OffenceRecordFactory(person=person, offence_category="rape", offence_date=years_ago(12))
    with pytest.raises(ValidationError, match="until the person is 100"):
        retention_dispose(acting_user=manager, person=person)
    assert Person.objects.get(pk=person.pk).first_name == person.first_name
    assert retention_retain(acting_user=manager, person=person, reason="MAPPA", next_review_on=add_months(TODAY, 120))


# --- Disposal: erasure -----------------------------------------------------------------------------------------

SURNAME, FORENAME, CRN = "Zanzibarova", "Quillonius", "X987654"


@pytest.fixture
def erasable(norwich, officer, officer2, manager, cohort, coordinator, settings, tmp_path):
    """A person with something in every record that holds free text about them, each naming them, all long ago."""
    settings.MEDIA_ROOT = tmp_path
    person = factories.PersonFactory(
        first_name=FORENAME,
        last_name=SURNAME,
        crn=CRN,
        aliases=f"{FORENAME[:4]} {SURNAME}",
        date_of_birth=datetime.date(1990, 2, 28),
    )
    person.flags.set([factories.FlagFactory(code="drugs", name="Drugs")])
    old = years_ago(8)
    case = factories.CaseFactory(
        person=person,
        team=norwich,
        lead_officer=officer,
        status=CaseStatus.CLOSED,
        opened_on=years_ago(10),
        closed_on=old,
    )
    named = f"Spoke to {FORENAME} {SURNAME} at home"
    factories.NoteFactory(case=case, author=officer, occurred_on=old, text=named)
    open_action = factories.ActionFactory(case=case, owner=officer, description=f"Visit {SURNAME}", due_on=old)
    factories.AssessmentFactory(case=case, assessed_by=officer, assessed_on=old, notes=named)
    CaseUserObjectPermission.objects.create(
        user=officer2,
        permission=Permission.objects.get(codename="view_case"),
        content_object=case,
        reason=f"Cover for {SURNAME}'s officer",
    )
    factories.MembershipFactory(person=person, cohort=cohort, adopted_on=years_ago(9), exited_on=old, exit_reason=named)
    consent = ConsentFactory(
        person=person,
        recorded_by=officer,
        given_on=years_ago(9),
        shared_information=named,
        withdrawn_on=old,
        withdrawal_reason=named,
        withdrawn_by=officer,
    )
    referral = ReferralFactory(
        case=case,
        consent=consent,
        state=ReferralState.COMPLETED,
        reason=named,
        shared_information=named,
        risk_summary=named,
        support_contacts=named,
    )
    ReferralTransition.objects.create(
        referral=referral, from_state="accepted", to_state="completed", by=officer, reason=named
    )
    ReferralUpdate.objects.create(referral=referral, text=named, by=officer)
    DisclosedConviction.objects.create(
        referral=referral, offence_category="other_theft", sentence_type="fine", convicted_on=years_ago(11)
    )
    placement = PlacementFactory(
        referral__case=case,
        referral__state=ReferralState.COMPLETED,
        started_on=years_ago(9),
        ended_on=old,
        matched_by=coordinator,
    )
    PlacementEventFactory(placement=placement, kind="ended", occurred_on=old, reason=named, recorded_by=officer)
    InterventionFactory(case=case, started_on=years_ago(9), ended_on=old, outcome=InterventionOutcome.COMPLETED)
    records = [
        OffenceRecordFactory(
            record_id="PND-0002",
            person=person,
            offence_date=datetime.date(2016, 2, 1),
            outcome_date=datetime.date(2016, 2, 27),
        ),
        OffenceRecordFactory(
            record_id="PND-0001",
            person=person,
            offence_date=datetime.date(2014, 5, 1),
            outcome_date=datetime.date(2014, 6, 1),
        ),
        OffenceRecordFactory(record_id="PND-0003", person=person, offence_date=old, outcome=OffenceOutcome.NONE),
    ]
    Notification.objects.create(
        user=officer,
        kind="action_overdue",
        title="Action overdue by 3 days",
        body=f"Visit {SURNAME} (case {case.pk})",
        link=f"/cases/{case.pk}/",
    )
    BreakGlassAccess.objects.create(user=officer2, person=person, case=case, reason=named, expires_at=moment(old))
    export = SubjectAccessExport.objects.create(
        person=person, requested_by=manager, reason=named, status=SubjectAccessStatus.READY, flags=[named]
    )
    export.file.save("bundle.zip", ContentFile(named.encode()))
    RetentionDecision.objects.create(
        person=person,
        decision=RetentionDecisionKind.RETAIN,
        decided_by=manager,
        reason=named,
        next_review_on=years_ago(1),
        group=3,
        last_activity_on=old,
        due_on=years_ago(2),
    )
    audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    audit_record(
        user=officer,
        action=AuditAction.CHANGE,
        obj=person,
        changes={"last_name": ["Smith", SURNAME]},
        justification=f"{SURNAME} married",
    )
    # Every automatic time to the same old day, so the person's last activity is eight years ago.
    for model, field in ((Action, "updated_at"), (ReferralTransition, "at"), (ReferralUpdate, "at")):
        model.objects.filter(pk__in=model.objects.values("pk")).update(**{field: moment(old)})
    referral.__class__.objects.filter(case=case).update(created_at=moment(old))
    placement.__class__.objects.filter(pk=placement.pk).update(matched_at=moment(old))
    return {"person": person, "case": case, "records": records, "open_action": open_action, "export": export}


def _text_values_mentioning(tokens: list[str]) -> list[str]:
    """Every text, character and JSON value in the service's own tables that contains one of ``tokens``."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {"iom", "partners", "referrals", "outcomes"}:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField | models.FileField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list("pk", *fields):
            for name, value in zip(fields, row[1:], strict=True):
                if any(token.lower() in str(value).lower() for token in tokens):
                    found.append(f"{model._meta.label}.{name} (row {row[0]})")
    return found


def test_disposal_erases_every_personal_detail_and_keeps_the_facts(
    erasable, manager, django_capture_on_commit_callbacks
):
    person = erasable["person"]
    pnc_id, born = person.pnc_id, person.date_of_birth
    tokens = [SURNAME, FORENAME, CRN, pnc_id, "PND-000"]
    assert len(_text_values_mentioning(tokens)) > 20  # the fixture does name them everywhere
    file_name = erasable["export"].file.name
    storage = erasable["export"].file.storage
    assert storage.exists(file_name)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = retention_dispose(acting_user=manager, person=person)

    assert _text_values_mentioning(tokens) == []
    assert not storage.exists(file_name)
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.full_name) == ("Erased", "person", "Erased person")
    assert (person.pnc_id, person.crn, person.aliases, person.date_of_birth) == (
        erased_reference(person.pk),
        None,
        "",
        None,
    )
    assert erasure.reference == person.pnc_id
    assert person.erased_at is not None and person.risk_of_serious_harm is None and not person.flags.exists()
    assert person.erased_age_band == age_band(age_on(born, TODAY))
    # What the metrics count stays, the age band taking the place of the date of birth on each index event.
    assert (person.gender, person.ethnicity, person.district) == ("male", "white", "norwich")
    records = {r.offence_date: r for r in OffenceRecord.objects.filter(person=person)}
    assert len(records) == 3
    assert records[datetime.date(2014, 5, 1)].record_id == f"erased-{person.pk}-000001"  # PND-0001 came first
    assert records[datetime.date(2016, 2, 1)].record_id == f"erased-{person.pk}-000002"
    assert records[datetime.date(2016, 2, 1)].index_age_band == age_band(age_on(born, datetime.date(2016, 2, 27)))
    assert records[datetime.date(2014, 5, 1)].index_date == datetime.date(2014, 6, 1)
    assert records[years_ago(8)].index_age_band == ""  # no index event: nothing the metrics would band
    assert Action.objects.get(pk=erasable["open_action"].pk).status == ActionStatus.CANCELLED
    assert Action.objects.get(pk=erasable["open_action"].pk).description == ERASED_TEXT
    assert not DisclosedConviction.objects.exists()
    assert SubjectAccessExport.objects.get().flags == []
    assert RetentionSchedule.objects.get(person=person).next_review_on is None
    # Audited: the old rows keep who, what and when without their values; the decision and the erasure are new.
    old_rows = AuditEvent.objects.filter(person=person, action__in=[AuditAction.VIEW, AuditAction.CHANGE])
    assert old_rows.count() == 2
    assert all(row.redacted_at and row.changes == {} and row.justification == "" for row in old_rows)
    assert {row.username for row in old_rows} == {"officer"}
    decision = AuditEvent.objects.get(action=AuditAction.RETENTION_DECISION)
    assert (decision.person_id, decision.details["decision"], decision.redacted_at) == (person.pk, "dispose", None)
    erase = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert (erase.person_id, erase.user_id, erase.redacted_at) == (person.pk, manager.pk, None)
    counts = erase.details["erased"]
    assert counts["case notes"] == 1 and counts["offence records"] == 3 and counts["referrals"] == 2
    assert counts["audit entries"] >= 2 and counts["convictions listed for an employer"] == 1
    assert RetentionDecision.objects.filter(decision="dispose", person=person, decided_by=manager).count() == 1
    # The redacted rows still verify in the hash chain, their erasure being recorded.
    verification = audit_chain.verify()
    assert verification.ok and verification.redacted >= 2, verification.breaks


def test_erasing_twice_is_refused(erasable, manager):
    person = erasable["person"]
    retention_dispose(acting_user=manager, person=person)
    person.refresh_from_db()
    with pytest.raises(ValidationError, match="erased on"):
        retention_dispose(acting_user=manager, person=person)
    assert AuditEvent.objects.filter(action=AuditAction.ERASE).count() == 1


def test_nothing_more_can_be_recorded_about_an_erased_person(erasable, manager, officer, norwich, cohort):
    person, case = erasable["person"], erasable["case"]
    retention_dispose(acting_user=manager, person=person)
    person.refresh_from_db()
    case.refresh_from_db()
    attempts = [
        lambda: person_update(acting_user=officer, person=person, version=person.version, first_name="Again"),
        lambda: membership_adopt(acting_user=manager, person=person, cohort=cohort, adopted_on=TODAY),
        lambda: case_open(acting_user=officer, person=person, team=norwich),
        lambda: consent_record(
            acting_user=officer,
            person=person,
            shared_information="x",
            method="written",
            given_on=TODAY,
            scope_service_type="housing",
        ),
        lambda: referral_create(
            acting_user=officer, case=case, service=ServiceFactory(), reason="x", shared_information="x"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="erased"):
            attempt()
    assert not access.person_list_changeable_by(user=manager).filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(person=person, outcome=AuditOutcome.REFUSED).count() == len(attempts)
    assert Person.objects.get(pk=person.pk).first_name == "Erased"


def test_the_api_shows_an_erased_person_without_personal_data(erasable, manager, api_as):
    person = erasable["person"]
    retention_dispose(acting_user=manager, person=person)
    api = api_as(manager)
    body = api.get(f"/api/v1/people/{person.pk}/").json()
    assert (body["first_name"], body["last_name"], body["date_of_birth"], body["crn"]) == (
        "Erased",
        "person",
        None,
        None,
    )
    assert body["pnc_id"] == erased_reference(person.pk) and body["erased_at"] and body["aliases"] == []
    refused = api.patch(
        f"/api/v1/people/{person.pk}/", {"first_name": "Again", "version": body["version"]}, format="json"
    )
    assert refused.status_code == 403
    assert "erased" in str(refused.json())


def test_the_erased_reference_fits_the_pnc_column():
    assert erased_reference(42) == "ERASED42"
    assert len(erased_reference(9_999_999)) == 13
    assert erased_reference(10_000_000) == "E10000000"
