"""Everything the service holds about one person, section by section, for a subject access bundle.

Each section reads every record of one kind about the person in one query (related rows joined, never one
query per row), whoever's team holds it: a subject access request covers all the personal data the service
processes about the requester (Data Protection Act 2018 s.45), not only what the manager producing it works on.
Rows are plain JSON values (text, numbers, dates as ``YYYY-MM-DD``, lists, objects) with the labels a reader
understands ("Home visit", not ``home_visit``); the same row becomes a line of the section's CSV (:func:`cell`).

While reading, a section notes what someone must look at before the bundle is released (:class:`ReviewFlag`):
restricted and intelligence notes, which may be withheld under s.45(4); the names of people who are neither the
requester nor staff of the partnership's own organisations (a housing officer, an employer's manager, the
support contacts of a referral); and text written by partner organisations. docs/subject-access.md explains
each one.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.dateformat import format as date_format

from iom.models import (
    Action,
    AuditEvent,
    BreakGlassAccess,
    Case,
    CaseNote,
    Membership,
    NoteType,
    OrganisationType,
    PathwayAssessment,
    Person,
    Sensitivity,
    User,
)
from outcomes.models import Intervention, OffenceRecord
from referrals.models import (
    Consent,
    DisclosedConviction,
    Placement,
    PlacementEvent,
    Referral,
    ReferralTransition,
    ReferralUpdate,
)

# The partnership's own staff (police, probation, the Commissioner's office) are named as they act in their
# jobs; anyone else's name is a third party's, for the reviewer to keep or take out.
OWN_STAFF_ORGANISATION_TYPES = frozenset({OrganisationType.POLICE, OrganisationType.PROBATION, OrganisationType.OPCC})

Row = dict[str, Any]


class ReviewReason:
    """Why an item is flagged: a code the JSON and CSV carry, and a sentence the cover and the page show."""

    RESTRICTED = "restricted"
    INTELLIGENCE = "intelligence"
    THIRD_PARTY = "third_party"
    PARTNER_TEXT = "partner_text"

    LABELS = {
        RESTRICTED: "Restricted note",
        INTELLIGENCE: "Intelligence note",
        THIRD_PARTY: "Names another person",
        PARTNER_TEXT: "Written by a partner organisation",
    }
    ADVICE = {
        RESTRICTED: "It may be withheld, in whole or in part, if releasing it would prejudice the prevention or "
        "detection of crime or an investigation (Data Protection Act 2018 s.45(4)). Decide before release.",
        INTELLIGENCE: "It may reveal a source of information or how the police work. Decide before release.",
        THIRD_PARTY: "It names someone who is neither the requester nor police, probation or OPCC staff. Remove "
        "their name unless they agree or it is reasonable to release it.",
        PARTNER_TEXT: "A partner organisation wrote it. Ask them whether anything in it should be withheld.",
    }


@dataclass(frozen=True)
class ReviewFlag:
    """One item to look at before release: where it is (section and record), why, and what the record says."""

    section: str
    record: str
    reason: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Reading:
    """What the sections read into: the person, the moment the audit is read up to, and the flags raised."""

    person_id: int
    audit_until: datetime.datetime
    flags: list[ReviewFlag] = field(default_factory=list)

    def flag(self, section: str, record: object, reason: str, detail: str) -> None:
        self.flags.append(ReviewFlag(section=section, record=str(record), reason=reason, detail=detail))

    def flag_outsider(self, section: str, record: object, user: User | None, what: str) -> None:
        """Flag ``record`` if ``user`` works for an organisation outside the partnership's own."""
        if user is not None and is_outsider(user):
            organisation = user.organisation.name if user.organisation else "no organisation"
            self.flag(section, record, ReviewReason.THIRD_PARTY, f"{what} {name(user)} ({organisation}).")


@dataclass(frozen=True)
class Section:
    """One kind of record: its file name, title and plain description for the cover, columns, and reader."""

    key: str
    title: str
    about: str
    columns: tuple[str, ...]
    read: Callable[[Reading], list[Row]]


def name(user: User | None) -> str | None:
    """A user as the bundle names them: full name, or username when no name is recorded."""
    return None if user is None else (user.get_full_name() or user.username)


def is_outsider(user: User | None) -> bool:
    return user is not None and (
        user.organisation is None or user.organisation.type not in OWN_STAFF_ORGANISATION_TYPES
    )


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime.datetime | None) -> str | None:
    """A moment in London time, to the second, with its offset from UTC."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def _spoken(value: datetime.date) -> str:
    """A date as the cover and the page write it: 7 March 2024."""
    return date_format(value, "j F Y")


def _label(obj: Model, field_name: str) -> str | None:
    """A choice's label (``get_<field>_display``), or None when the field holds no value."""
    value = getattr(obj, field_name)
    if value in (None, ""):
        return None
    return str(getattr(obj, f"get_{field_name}_display")())


def cell(value: Any) -> str:
    """A row's value as CSV text: empty for none, true/false, a list joined by "; ", an object as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# --- The sections -----------------------------------------------------------------------------------------------


def _person(reading: Reading) -> list[Row]:
    person = Person.objects.prefetch_related("flags").get(pk=reading.person_id)
    return [
        {
            "id": person.pk,
            "pnc_id": person.pnc_id,
            "crn": person.crn,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "aliases": person.alias_list,
            "date_of_birth": _day(person.date_of_birth),
            "gender": _label(person, "gender"),
            "ethnicity": _label(person, "ethnicity"),
            "home_district": _label(person, "district"),
            "risk_of_serious_harm": _label(person, "risk_of_serious_harm"),
            "flags": [flag.name for flag in person.flags.all()],
            "recorded_at": moment(person.created_at),
            "last_changed_at": moment(person.updated_at),
            "erased_at": moment(person.erased_at),
            "age_band_when_erased": person.erased_age_band or None,
        }
    ]


def _memberships(reading: Reading) -> list[Row]:
    memberships = (
        Membership.objects.filter(person_id=reading.person_id)
        .select_related("cohort", "decided_by", "exit_decided_by")
        .order_by("adopted_on", "pk")
    )
    return [
        {
            "id": m.pk,
            "cohort": m.cohort.name,
            "adopted_on": _day(m.adopted_on),
            "adoption_panel_date": _day(m.panel_date),
            "adoption_recorded_by": name(m.decided_by),
            "exited_on": _day(m.exited_on),
            "exit_reason": m.exit_reason or None,
            "exit_panel_date": _day(m.exit_panel_date),
            "exit_recorded_by": name(m.exit_decided_by),
        }
        for m in memberships
    ]


def _cases(reading: Reading) -> list[Row]:
    cases = (
        Case.objects.filter(person_id=reading.person_id)
        .select_related("team__scheme", "lead_officer", "offender_manager")
        .order_by("opened_on", "pk")
    )
    return [
        {
            "id": case.pk,
            "team": case.team.name,
            "scheme": case.team.scheme.name,
            "status": _label(case, "status"),
            "opened_on": _day(case.opened_on),
            "closed_on": _day(case.closed_on),
            "lead_officer": name(case.lead_officer),
            "offender_manager": name(case.offender_manager),
        }
        for case in cases
    ]


def _pathways(reading: Reading) -> list[Row]:
    assessments = (
        PathwayAssessment.objects.filter(case__person_id=reading.person_id)
        .select_related("assessed_by")
        .order_by("assessed_on", "pk")
    )
    return [
        {
            "id": a.pk,
            "case": a.case_id,
            "pathway": _label(a, "pathway"),
            "need_level": _label(a, "need_level"),
            "rag_status": _label(a, "rag"),
            "assessed_on": _day(a.assessed_on),
            "assessed_by": name(a.assessed_by),
            "notes": a.notes or None,
        }
        for a in assessments
    ]


def _actions(reading: Reading) -> list[Row]:
    actions = (
        Action.objects.filter(case__person_id=reading.person_id)
        .select_related("owner", "created_by")
        .order_by("due_on", "pk")
    )
    return [
        {
            "id": a.pk,
            "case": a.case_id,
            "pathway": _label(a, "pathway"),
            "description": a.description,
            "owner": name(a.owner),
            "due_on": _day(a.due_on),
            "status": _label(a, "status"),
            "done_on": _day(a.done_on),
            "added_by": name(a.created_by),
            "added_at": moment(a.created_at),
        }
        for a in actions
    ]


def _notes(reading: Reading) -> list[Row]:
    notes = (
        CaseNote.objects.filter(case__person_id=reading.person_id)
        .select_related("author__organisation")
        .order_by("occurred_on", "pk")
    )
    rows = []
    for note in notes:
        if note.sensitivity == Sensitivity.RESTRICTED:
            what = f"{note.get_note_type_display()} note of {_spoken(note.occurred_on)}."
            reading.flag("notes", note.pk, ReviewReason.RESTRICTED, what)
        if note.note_type == NoteType.INTELLIGENCE:
            reading.flag("notes", note.pk, ReviewReason.INTELLIGENCE, f"Note of {_spoken(note.occurred_on)}.")
        reading.flag_outsider("notes", note.pk, note.author, "Written by")
        rows.append(
            {
                "id": note.pk,
                "case": note.case_id,
                "type": _label(note, "note_type"),
                "occurred_on": _day(note.occurred_on),
                "sensitivity": _label(note, "sensitivity"),
                "author": name(note.author),
                "text": note.text,
                "added_at": moment(note.created_at),
            }
        )
    return rows


def _consents(reading: Reading) -> list[Row]:
    consents = (
        Consent.objects.filter(person_id=reading.person_id)
        .select_related("scope_organisation", "recorded_by", "withdrawn_by")
        .order_by("given_on", "pk")
    )
    return [
        {
            "id": c.pk,
            "covers": c.scope_label,
            "what_may_be_shared": c.shared_information,
            "method": _label(c, "method"),
            "given_on": _day(c.given_on),
            "recorded_by": name(c.recorded_by),
            "withdrawn_on": _day(c.withdrawn_on),
            "withdrawal_reason": c.withdrawal_reason or None,
            "withdrawal_recorded_by": name(c.withdrawn_by),
        }
        for c in consents
    ]


def _referrals(reading: Reading) -> list[Row]:
    referrals = (
        Referral.objects.filter(case__person_id=reading.person_id)
        .select_related("service__organisation", "created_by", "disclosure_approved_by")
        .order_by("created_at", "pk")
    )
    rows = []
    for r in referrals:
        if r.support_contacts.strip():
            reading.flag("referrals", r.pk, ReviewReason.THIRD_PARTY, "The support contacts name other people.")
        rows.append(
            {
                "id": r.pk,
                "case": r.case_id,
                "service": r.service.name,
                "organisation": r.service.organisation.name,
                "state": _label(r, "state"),
                "urgency": _label(r, "urgency"),
                "pathways": list(r.pathways),
                "reason": r.reason,
                "information_shared": r.shared_information,
                "risk_summary": r.risk_summary or None,
                "support_contacts": r.support_contacts or None,
                "made_by": name(r.created_by),
                "made_at": moment(r.created_at),
                "submitted_at": moment(r.submitted_at),
                "answered_at": moment(r.responded_at),
                "first_opened_by_partner_at": moment(r.partner_viewed_at),
                "disclosure_approved_by": name(r.disclosure_approved_by),
                "disclosure_approved_at": moment(r.disclosure_approved_at),
            }
        )
    return rows


def _referral_history(reading: Reading) -> list[Row]:
    steps = (
        ReferralTransition.objects.filter(referral__case__person_id=reading.person_id)
        .select_related("by__organisation")
        .order_by("at", "pk")
    )
    rows = []
    for step in steps:
        reading.flag_outsider("referral_history", step.pk, step.by, "Recorded by")
        if step.reason and is_outsider(step.by):
            reading.flag("referral_history", step.pk, ReviewReason.PARTNER_TEXT, "The reason given for the step.")
        rows.append(
            {
                "id": step.pk,
                "referral": step.referral_id,
                "from_state": _label(step, "from_state"),
                "to_state": _label(step, "to_state"),
                "by": name(step.by),
                "at": moment(step.at),
                "reason": step.reason or None,
            }
        )
    return rows


def _referral_updates(reading: Reading) -> list[Row]:
    updates = (
        ReferralUpdate.objects.filter(referral__case__person_id=reading.person_id)
        .select_related("by__organisation")
        .order_by("at", "pk")
    )
    rows = []
    for update in updates:
        reading.flag_outsider("referral_updates", update.pk, update.by, "Written by")
        if is_outsider(update.by):
            reading.flag("referral_updates", update.pk, ReviewReason.PARTNER_TEXT, "A progress update.")
        rows.append(
            {
                "id": update.pk,
                "referral": update.referral_id,
                "by": name(update.by),
                "at": moment(update.at),
                "text": update.text,
            }
        )
    return rows


def _disclosed_convictions(reading: Reading) -> list[Row]:
    convictions = DisclosedConviction.objects.filter(referral__case__person_id=reading.person_id).order_by(
        "convicted_on", "pk"
    )
    return [
        {
            "id": c.pk,
            "referral": c.referral_id,
            "offence_category": c.offence_category,
            "sentence_type": c.sentence_type,
            "convicted_on": _day(c.convicted_on),
            "length_months": c.length_months,
            "sentence_ends_on": _day(c.ends_on),
            "serious_offence": c.serious_offence,
            "spent_on": _day(c.spent_on),
        }
        for c in convictions
    ]


def _placements(reading: Reading) -> list[Row]:
    placements = (
        Placement.objects.filter(referral__case__person_id=reading.person_id)
        .select_related("opportunity__employer__organisation", "matched_by")
        .order_by("matched_at", "pk")
    )
    return [
        {
            "id": p.pk,
            "referral": p.referral_id,
            "employer": p.opportunity.employer.organisation.name,
            "opportunity": p.opportunity.title,
            "opportunity_type": _label(p.opportunity, "opportunity_type"),
            "matched_by": name(p.matched_by),
            "matched_at": moment(p.matched_at),
            "started_on": _day(p.started_on),
            "sustained_13_weeks_on": _day(p.sustained_13_on),
            "sustained_26_weeks_on": _day(p.sustained_26_on),
            "ended_on": _day(p.ended_on),
        }
        for p in placements
    ]


def _placement_events(reading: Reading) -> list[Row]:
    events = (
        PlacementEvent.objects.filter(placement__referral__case__person_id=reading.person_id)
        .select_related("recorded_by__organisation")
        .order_by("occurred_on", "pk")
    )
    rows = []
    for event in events:
        reading.flag_outsider("placement_events", event.pk, event.recorded_by, "Recorded by")
        if event.reason and is_outsider(event.recorded_by):
            reading.flag("placement_events", event.pk, ReviewReason.PARTNER_TEXT, "The reason recorded.")
        rows.append(
            {
                "id": event.pk,
                "placement": event.placement_id,
                "event": _label(event, "kind"),
                "occurred_on": _day(event.occurred_on),
                "outcome": _label(event, "outcome"),
                "reason": event.reason or None,
                "recorded_by": name(event.recorded_by),
                "recorded_at": moment(event.recorded_at),
            }
        )
    return rows


def _interventions(reading: Reading) -> list[Row]:
    interventions = (
        Intervention.objects.filter(case__person_id=reading.person_id)
        .select_related("programme", "provider", "recorded_by")
        .order_by("started_on", "pk")
    )
    return [
        {
            "id": i.pk,
            "case": i.case_id,
            "programme": i.programme.name,
            "programme_type": _label(i.programme, "programme_type"),
            "provider": i.provider.name,
            "referral": i.referral_id,
            "started_on": _day(i.started_on),
            "ended_on": _day(i.ended_on),
            "sessions_planned": i.sessions_planned,
            "sessions_attended": i.sessions_attended,
            "outcome": _label(i, "outcome"),
            "recorded_by": name(i.recorded_by),
        }
        for i in interventions
    ]


def _offence_records(reading: Reading) -> list[Row]:
    records = OffenceRecord.objects.filter(person_id=reading.person_id).order_by("offence_date", "record_id")
    return [
        {
            "record_id": o.record_id,
            "offence_date": _day(o.offence_date),
            "offence_category": _label(o, "offence_category"),
            "outcome": _label(o, "outcome"),
            "outcome_date": _day(o.outcome_date),
            "disposal": _label(o, "disposal"),
            "release_date": _day(o.release_date),
        }
        for o in records
    ]


def _access_outside_teams(reading: Reading) -> list[Row]:
    accesses = (
        BreakGlassAccess.objects.filter(person_id=reading.person_id)
        .select_related("user", "reviewed_by")
        .order_by("opened_at", "pk")
    )
    return [
        {
            "id": a.pk,
            "by": name(a.user),
            "case": a.case_id,
            "reason_given": a.reason,
            "opened_at": moment(a.opened_at),
            "expired_at": moment(a.expires_at),
            "reviewed_by": name(a.reviewed_by),
            "reviewed_at": moment(a.reviewed_at),
            "review": _label(a, "review"),
            "review_note": a.review_note or None,
        }
        for a in accesses
    ]


def _audit(reading: Reading) -> list[Row]:
    events = (
        AuditEvent.objects.filter(person_id=reading.person_id, occurred_at__lte=reading.audit_until)
        .select_related("user__organisation")
        .order_by("occurred_at", "pk")
    )
    rows = []
    for event in events:
        reading.flag_outsider("audit", event.pk, event.user, "Done by")
        erased = event.redacted_at is not None
        rows.append(
            {
                "id": event.pk,
                "at": moment(event.occurred_at),
                "by": event.username or None,
                "action": _label(event, "action"),
                "outcome": _label(event, "outcome"),
                "record_type": event.object_type or None,
                "record_id": event.object_id or None,
                "changes": event.changes or None,
                "details": event.details or None,
                "reason_given": event.justification or None,
                "values_erased": erased,
            }
        )
    return rows


SECTIONS: tuple[Section, ...] = (
    Section(
        "person",
        "Personal details",
        "Name, other names, date of birth, identifiers, equality monitoring details, home district, risk of serious "
        "harm and markers, as recorded now.",
        ("id", "pnc_id", "crn", "first_name", "last_name", "aliases", "date_of_birth", "gender", "ethnicity",
         "home_district", "risk_of_serious_harm", "flags", "recorded_at", "last_changed_at", "erased_at",
         "age_band_when_erased"),
        _person,
    ),
    Section(
        "memberships",
        "Cohort memberships",
        "Each time the person was adopted into an IOM cohort and when and why they left it.",
        ("id", "cohort", "adopted_on", "adoption_panel_date", "adoption_recorded_by", "exited_on", "exit_reason",
         "exit_panel_date", "exit_recorded_by"),
        _memberships,
    ),
    Section(
        "cases",
        "Cases",
        "Each IOM case: the team, the lead officer and offender manager, and when it was opened and closed.",
        ("id", "team", "scheme", "status", "opened_on", "closed_on", "lead_officer", "offender_manager"),
        _cases,
    ),
    Section(
        "pathways",
        "Pathway assessments",
        "Every assessment of the seven resettlement pathways: need level, RAG status and notes.",
        ("id", "case", "pathway", "need_level", "rag_status", "assessed_on", "assessed_by", "notes"),
        _pathways,
    ),
    Section(
        "actions",
        "Action plan",
        "Every action on the person's plans, with its owner, due date and status.",
        ("id", "case", "pathway", "description", "owner", "due_on", "status", "done_on", "added_by", "added_at"),
        _actions,
    ),
    Section(
        "notes",
        "Case notes",
        "Every note on the person's cases, restricted ones included (they are flagged).",
        ("id", "case", "type", "occurred_on", "sensitivity", "author", "text", "added_at"),
        _notes,
    ),
    Section(
        "consents",
        "Consent to share",
        "Each consent the person gave to share information with a partner, and any withdrawal.",
        ("id", "covers", "what_may_be_shared", "method", "given_on", "recorded_by", "withdrawn_on",
         "withdrawal_reason", "withdrawal_recorded_by"),
        _consents,
    ),
    Section(
        "referrals",
        "Referrals",
        "Each referral to a partner service: why, what was shared with the partner and what happened.",
        ("id", "case", "service", "organisation", "state", "urgency", "pathways", "reason", "information_shared",
         "risk_summary", "support_contacts", "made_by", "made_at", "submitted_at", "answered_at",
         "first_opened_by_partner_at", "disclosure_approved_by", "disclosure_approved_at"),
        _referrals,
    ),
    Section(
        "referral_history",
        "Referral history",
        "Every step of each referral (submitted, accepted, declined and so on): who, when and why.",
        ("id", "referral", "from_state", "to_state", "by", "at", "reason"),
        _referral_history,
    ),
    Section(
        "referral_updates",
        "Referral progress updates",
        "Progress updates the partner services wrote on the referrals.",
        ("id", "referral", "by", "at", "text"),
        _referral_updates,
    ),
    Section(
        "disclosed_convictions",
        "Convictions listed for employers",
        "The convictions listed on Gateway to Employment referrals, and when each becomes spent.",
        ("id", "referral", "offence_category", "sentence_type", "convicted_on", "length_months", "sentence_ends_on",
         "serious_offence", "spent_on"),
        _disclosed_convictions,
    ),
    Section(
        "placements",
        "Gateway to Employment placements",
        "Each job, apprenticeship or placement the person was matched to, and how far it went.",
        ("id", "referral", "employer", "opportunity", "opportunity_type", "matched_by", "matched_at", "started_on",
         "sustained_13_weeks_on", "sustained_26_weeks_on", "ended_on"),
        _placements,
    ),
    Section(
        "placement_events",
        "Placement events",
        "Interviews, offers, starts, sustainment and endings the employers recorded.",
        ("id", "placement", "event", "occurred_on", "outcome", "reason", "recorded_by", "recorded_at"),
        _placement_events,
    ),
    Section(
        "interventions",
        "Interventions",
        "Programmes, treatment and support delivered to the person, with attendance and outcome.",
        ("id", "case", "programme", "programme_type", "provider", "referral", "started_on", "ended_on",
         "sessions_planned", "sessions_attended", "outcome", "recorded_by"),
        _interventions,
    ),
    Section(
        "offence_records",
        "Offence records",
        "The offences recorded against the person, how each was dealt with, and release dates.",
        ("record_id", "offence_date", "offence_category", "outcome", "outcome_date", "disposal", "release_date"),
        _offence_records,
    ),
    Section(
        "access_outside_teams",
        "Access from outside the person's teams",
        "Each time an officer outside the person's teams opened the record, with the reason they gave.",
        ("id", "by", "case", "reason_given", "opened_at", "expired_at", "reviewed_by", "reviewed_at", "review",
         "review_note"),
        _access_outside_teams,
    ),
    Section(
        "audit",
        "Who viewed or changed the records",
        "The audit log about the person: every view, change, export and disclosure, who did it and when, with "
        "old and new values of changes.",
        ("id", "at", "by", "action", "outcome", "record_type", "record_id", "changes", "details", "reason_given",
         "values_erased"),
        _audit,
    ),
)  # fmt: skip
