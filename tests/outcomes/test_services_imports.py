"""outcomes.services.imports: the CSV imports of cohorts, people, memberships and offence records.

docs/data-formats.md "The four formats" and "Import rules": every row is checked before anything is
written, errors name the row (the header is row 1) and the column, a file with any error writes nothing, the
same file twice changes nothing, and a changed row is an update audited with old and new values.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iom import access
from iom.models import AuditAction, AuditEvent, Cohort, Membership, Person, Role
from iom.pnc import make_pnc_id
from outcomes.models import Disposal, ImportRun, OffenceRecord
from outcomes.services.imports import import_csv, import_run_start
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db

PNC_A = make_pnc_id(2013, 12345)  # 2013/0012345Q, docs/data-formats.md's example
PNC_B = make_pnc_id(2014, 222222)
PNC_C = make_pnc_id(2015, 333333)
UNKNOWN_PNC = make_pnc_id(2016, 444444)

COHORTS_HEADER = "slug,name,description"
PEOPLE_HEADER = "pnc_id,crn,first_name,last_name,date_of_birth,gender,ethnicity,district"
MEMBERSHIPS_HEADER = "pnc_id,cohort,adopted_on,exited_on,exit_reason"
OFFENCES_HEADER = "record_id,pnc_id,offence_date,offence_category,outcome,outcome_date,disposal,release_date"


def csv_file(header: str, *rows: str) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def run(user, kind: str, content: bytes, **options):
    return import_csv(acting_user=user, kind=kind, content=content, **options)


def counts() -> dict[str, int]:
    """How many rows each table an import can write holds, the audit log included."""
    return {model.__name__: model.objects.count() for model in (Cohort, Person, Membership, OffenceRecord, AuditEvent)}


def row_audits(object_type: str):
    return AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type=object_type)


@pytest.fixture
def stored(db):
    """Two people (A holds CRN X123456), a cohort ``fixed`` with A a member from 2020-01-01 (open), and A's
    conviction REC-1 with a custodial sentence and a release date."""
    person_a = factories.PersonFactory(
        pnc_id=PNC_A, crn="X123456", first_name="Dylan", last_name="Thacker", date_of_birth=datetime.date(1990, 5, 17)
    )
    person_b = factories.PersonFactory(pnc_id=PNC_B, crn=None, first_name="Rhys", last_name="Booth")
    cohort = factories.CohortFactory(slug="fixed", name="Fixed", description="Neighbourhood crime", scheme=None)
    membership = factories.MembershipFactory(person=person_a, cohort=cohort, adopted_on=datetime.date(2020, 1, 1))
    record = OffenceRecordFactory(
        record_id="REC-1",
        person=person_a,
        offence_date=datetime.date(2019, 1, 10),
        offence_category="domestic_burglary",
        custody=True,
        outcome_date=datetime.date(2019, 3, 1),
        release_date=datetime.date(2019, 9, 1),
    )
    return {"a": person_a, "b": person_b, "cohort": cohort, "membership": membership, "record": record}


# --- Each kind: create, re-import unchanged, change audited --------------------------------------------------------

CLEAN = {
    "cohorts": csv_file(COHORTS_HEADER, "fixed,Fixed,Neighbourhood crime", "flex,Flex,Local priorities"),
    "people": csv_file(
        PEOPLE_HEADER,
        f"{PNC_A},X123456,Dylan,Thacker,1990-05-17,male,white,norwich",
        f"{PNC_B},,Rhys,Booth,1985-11-02,,not_stated,great_yarmouth",
    ),
}


def _stored_for(kind: str) -> None:
    """What a memberships or offences file needs before it can be imported: the people and the cohort."""
    if kind in ("memberships", "offences"):
        factories.PersonFactory(pnc_id=PNC_A)
        factories.PersonFactory(pnc_id=PNC_B)
        factories.CohortFactory(slug="fixed", scheme=None)


CLEAN["memberships"] = csv_file(
    MEMBERSHIPS_HEADER,
    f"{PNC_A},fixed,2020-01-01,,",
    f"{PNC_B},fixed,2019-06-01,2020-06-30,Stepped down by panel",
    f"{PNC_B},fixed,2021-01-01,,",
)
CLEAN["offences"] = csv_file(
    OFFENCES_HEADER,
    f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,2019-09-01",
    f"REC-2,{PNC_A},2020-02-01,shoplifting,caution,2020-02-10,,",
    f"REC-3,{PNC_B},2020-05-05,robbery,pending,,,",
)
ROWS = {"cohorts": 2, "people": 2, "memberships": 3, "offences": 3}
MODELS = {"cohorts": Cohort, "people": Person, "memberships": Membership, "offences": OffenceRecord}


@pytest.mark.parametrize("kind", list(CLEAN))
def test_a_clean_file_creates_every_row_and_one_summary_audit_row(manager, kind):
    _stored_for(kind)
    before = MODELS[kind].objects.count()
    result = run(manager, kind, CLEAN[kind])
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (ROWS[kind], ROWS[kind], 0, 0)
    assert MODELS[kind].objects.count() == before + ROWS[kind]
    summary = AuditEvent.objects.get(object_type="importrun")
    assert summary.action == AuditAction.CREATE
    assert summary.user == manager
    assert summary.details == {"import": None, "kind": kind, "created": ROWS[kind], "updated": 0, "unchanged": 0}


@pytest.mark.parametrize("kind", list(CLEAN))
def test_the_same_file_again_is_all_unchanged_and_writes_nothing_but_the_summary(manager, kind):
    _stored_for(kind)
    assert run(manager, kind, CLEAN[kind]).ok
    model = MODELS[kind]
    fields = [field.attname for field in model._meta.concrete_fields]
    rows_before = list(model.objects.order_by("pk").values(*fields))
    tables_before = counts()

    result = run(manager, kind, CLEAN[kind])

    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (ROWS[kind], 0, 0, ROWS[kind])
    assert list(model.objects.order_by("pk").values(*fields)) == rows_before  # not even updated_at or version
    assert counts() == {**tables_before, "AuditEvent": tables_before["AuditEvent"] + 1}
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()
    assert AuditEvent.objects.filter(object_type="importrun").count() == 2


def test_a_changed_cohort_is_updated_and_audited_with_old_and_new_values(manager, stored):
    result = run(manager, "cohorts", csv_file(COHORTS_HEADER, "fixed,Fixed cohort,Neighbourhood crime"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    stored["cohort"].refresh_from_db()
    assert stored["cohort"].name == "Fixed cohort"
    event = row_audits("cohort").get()
    assert event.object_id == str(stored["cohort"].pk)
    assert event.changes == {"name": ["Fixed", "Fixed cohort"]}
    assert event.user == manager
    assert event.person_id is None
    assert event.details == {"import": None, "kind": "cohorts"}


def test_a_changed_person_is_updated_audited_and_their_version_goes_up(manager, stored):
    person = stored["a"]
    result = run(
        manager, "people", csv_file(PEOPLE_HEADER, f"{PNC_A},X123456,Dylan,Thacker,1990-05-17,male,white,broadland")
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.district == "broadland"
    assert person.version == 2  # an edit opened before the import is now stale
    event = row_audits("person").get()
    assert (event.object_id, event.person_id) == (str(person.pk), person.pk)
    assert event.changes == {"district": ["norwich", "broadland"]}


def test_a_changed_offence_record_is_updated_with_its_derived_dates_and_audited(manager, stored):
    record = stored["record"]
    result = run(
        manager,
        "offences",
        csv_file(
            OFFENCES_HEADER, f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,2020-02-29"
        ),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    record.refresh_from_db()
    assert (record.release_date, record.index_date) == (datetime.date(2020, 2, 29), datetime.date(2020, 2, 29))
    assert (record.follow_up_end, record.waiting_end) == (datetime.date(2021, 2, 28), datetime.date(2021, 8, 28))
    event = row_audits("offencerecord").get()
    assert (event.object_id, event.person_id) == (str(record.pk), stored["a"].pk)
    assert event.changes == {
        "release_date": ["2019-09-01", "2020-02-29"],
        "index_date": ["2019-09-01", "2020-02-29"],
        "follow_up_end": ["2020-09-01", "2021-02-28"],
        "waiting_end": ["2021-03-01", "2021-08-28"],
    }


def test_recording_an_exit_on_re_import_is_an_audited_change(manager, stored):
    membership = stored["membership"]
    result = run(
        manager,
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{PNC_A},fixed,2020-01-01,2021-03-31,Offending reduced; stepped down"),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    membership.refresh_from_db()
    assert (membership.adopted_on, membership.exited_on) == (datetime.date(2020, 1, 1), datetime.date(2021, 3, 31))
    assert membership.exit_reason == "Offending reduced; stepped down"
    event = row_audits("membership").get()
    assert (event.object_id, event.person_id) == (str(membership.pk), stored["a"].pk)
    assert event.changes == {
        "exited_on": [None, "2021-03-31"],
        "exit_reason": ["", "Offending reduced; stepped down"],
    }


def test_another_adoption_date_is_another_membership_not_a_change(manager, stored):
    content = csv_file(
        MEMBERSHIPS_HEADER,
        f"{PNC_A},fixed,2020-01-01,2020-12-31,Stepped down",
        f"{PNC_A},fixed,2022-04-01,,",
    )
    result = run(manager, "memberships", content)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0), result.errors
    assert list(
        Membership.objects.filter(person=stored["a"]).order_by("adopted_on").values_list("adopted_on", "exited_on")
    ) == [(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)), (datetime.date(2022, 4, 1), None)]


# --- Errors: each names its row and column, and the file writes nothing ---------------------------------------------

ERRORS = [
    pytest.param(
        "people",
        csv_file(f"{PEOPLE_HEADER},nickname", f"{PNC_C},,Ann,Lee,1990-01-01,female,white,norwich,Annie"),
        "row 1, column nickname: a known column name: pnc_id, first_name, last_name, date_of_birth, crn, gender, "
        "ethnicity, district",
        id="unknown-column",
    ),
    pytest.param(
        "offences",
        csv_file(
            "record_id,pnc_id,offence_date,offence_category,outcome_date",
            f"REC-9,{PNC_A},2020-01-01,shoplifting,2020-01-02",
        ),
        "row 1, column outcome: this required column (it is missing)",
        id="missing-required-column",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2019-02-30,shoplifting,none,,,"),
        "row 2, column offence_date: a date as YYYY-MM-DD (found '2019-02-30')",
        id="impossible-date",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_C},,Ann,Lee,2019/01/01,female,white,norwich"),
        "row 2, column date_of_birth: a date as YYYY-MM-DD (found '2019/01/01')",
        id="date-with-slashes",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_C},,Ann,Lee,1990-01-01,Female,white,norwich"),
        "row 2, column gender: one of male, female, other, unknown (found 'Female')",
        id="code-not-lowercase",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,burglary,none,,,"),
        "row 2, column offence_category: one of homicide, violence_with_injury,",
        id="unknown-offence-category",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{UNKNOWN_PNC},2020-01-01,shoplifting,none,,,"),
        f"row 2, column pnc_id: the PNC ID of a person already recorded ({UNKNOWN_PNC} is not: import people first)",
        id="offence-of-an-unknown-person",
    ),
    pytest.param(
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{UNKNOWN_PNC},fixed,2020-01-01,,"),
        f"row 2, column pnc_id: the PNC ID of a person already recorded ({UNKNOWN_PNC} is not",
        id="membership-of-an-unknown-person",
    ),
    pytest.param(
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{PNC_B},free,2020-01-01,,"),
        "row 2, column cohort: the slug of an existing cohort ('free' is not one: import cohorts first)",
        id="unknown-cohort",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, "2013/0012345A,,Ann,Lee,1990-01-01,female,white,norwich"),
        "row 2, column pnc_id: The check letter of PNC ID 2013/0012345A should be Q.",
        id="bad-pnc-check-letter",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, "13/0012345Q,,Ann,Lee,1990-01-01,female,white,norwich"),
        "row 2, column pnc_id: Enter a PNC ID as YYYY/NNNNNNNL",
        id="bad-pnc-format",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_C},,,Lee,1990-01-01,female,white,norwich"),
        "row 2, column first_name: a value is required",
        id="empty-required-cell",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-05-01,shoplifting,caution,2020-04-30,,"),
        "row 2, column outcome_date: an outcome date on or after the offence date 2020-05-01",
        id="outcome-before-offence",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-05-01,robbery,conviction,2020-08-01,custody,2020-07-31"),
        "row 2, column release_date: a release date on or after the outcome date 2020-08-01",
        id="release-before-outcome",
    ),
    pytest.param(
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{PNC_B},fixed,2020-01-01,2019-12-31,Moved away"),
        "row 2, column exited_on: an exit date on or after the adoption date 2020-01-01",
        id="exit-before-adoption",
    ),
    pytest.param(
        "offences",
        csv_file(
            OFFENCES_HEADER,
            f"REC-9,{PNC_A},2020-01-01,shoplifting,none,,,",
            f"REC-9,{PNC_B},2020-02-01,shoplifting,none,,,",
        ),
        "row 3, column record_id: a key not already used in this file (row 2 has the same)",
        id="record-id-repeated-in-the-file",
    ),
    pytest.param(
        "people",
        csv_file(
            PEOPLE_HEADER,
            f"{PNC_C},,Ann,Lee,1990-01-01,female,white,norwich",
            f"{PNC_C},,Anne,Lee,1990-01-01,female,white,norwich",
        ),
        "row 3, column pnc_id: a key not already used in this file (row 2 has the same)",
        id="pnc-id-repeated-in-the-file",
    ),
    pytest.param(
        "cohorts",
        csv_file(COHORTS_HEADER, "free,Free,", "free,Free again,"),
        "row 3, column slug: a key not already used in this file (row 2 has the same)",
        id="slug-repeated-in-the-file",
    ),
    pytest.param(
        "memberships",
        csv_file(
            MEMBERSHIPS_HEADER,
            f"{PNC_B},fixed,2020-01-01,2020-02-01,Moved away",
            f"{PNC_B},fixed,2020-01-01,2020-03-01,Moved away",
        ),
        "row 3, column adopted_on: a key not already used in this file (row 2 has the same)",
        id="membership-repeated-in-the-file",
    ),
    pytest.param(
        "cohorts",
        csv_file(COHORTS_HEADER, "Free Cohort,Free,"),
        "row 2, column slug: lowercase letters, digits and hyphens only (found 'Free Cohort')",
        id="slug-not-lowercase",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,caution,2020-01-05,fine,"),
        "row 2, column disposal: no disposal when the outcome is caution (only a conviction has one)",
        id="disposal-on-a-caution",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,conviction,2020-01-05,,"),
        "row 2, column disposal: the disposal of the conviction: one of custody, community,",
        id="conviction-without-disposal",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,conviction,2020-01-05,community,2020-03-01"),
        "row 2, column release_date: no release date unless the disposal is custody",
        id="release-date-on-a-community-order",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,none,2020-01-05,,"),
        "row 2, column outcome_date: no outcome date when the outcome is none",
        id="outcome-date-on-none",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,pending,2020-01-05,,"),
        "row 2, column outcome_date: no outcome date when the outcome is pending",
        id="outcome-date-on-pending",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-9,{PNC_A},2020-01-01,shoplifting,caution,,,"),
        "row 2, column outcome_date: the date of the caution (required when the outcome is caution)",
        id="caution-without-outcome-date",
    ),
    pytest.param(
        "offences",
        csv_file(OFFENCES_HEADER, f"REC-1,{PNC_B},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,"),
        "row 2, column pnc_id: the person record REC-1 already belongs to (a record cannot move to another)",
        id="record-moves-to-another-person",
    ),
    pytest.param(
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{PNC_B},fixed,2020-01-01,2020-06-30,"),
        "row 2, column exit_reason: the reason for the exit (an exit date needs one)",
        id="exit-without-reason",
    ),
    pytest.param(
        "memberships",
        csv_file("pnc_id,cohort,adopted_on,exited_on", f"{PNC_B},fixed,2020-01-01,2020-06-30"),
        "row 2, column exit_reason: the reason for the exit (an exit date needs one)",
        id="exit-without-a-reason-column",
    ),
    pytest.param(
        "memberships",
        csv_file(
            MEMBERSHIPS_HEADER,
            f"{PNC_B},fixed,2020-01-01,2020-12-31,Moved away",
            f"{PNC_B},fixed,2020-12-31,,",
        ),
        "row 2, column adopted_on: a membership that does not overlap another of this person in this cohort "
        "(from 2020-12-31, open, row 3)",
        id="overlapping-memberships-in-the-file",
    ),
    pytest.param(
        "memberships",
        csv_file(MEMBERSHIPS_HEADER, f"{PNC_A},fixed,2021-06-01,,"),
        "row 2, column adopted_on: a membership that does not overlap another of this person in this cohort "
        "(from 2020-01-01, open, already recorded)",
        id="membership-overlapping-a-stored-one",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_B},X123456,Rhys,Booth,1985-11-02,male,white,norwich"),
        f"row 2, column crn: a CRN no other person holds (X123456 is also {PNC_A}'s)",
        id="crn-held-by-another-person",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_C},x123456,Ann,Lee,1990-01-01,female,white,norwich"),
        "row 2, column crn: Enter a probation CRN as one capital letter and six digits",
        id="malformed-crn",
    ),
    pytest.param(
        "people",
        csv_file(PEOPLE_HEADER, f"{PNC_C},,Ann,Lee,1990-01-01,female"),
        "row 2, column ethnicity: 8 cells, one per header column (found 6)",
        id="row-with-too-few-cells",
    ),
]


@pytest.mark.parametrize(("kind", "content", "expected"), ERRORS)
def test_a_file_with_an_error_reports_row_and_column_and_writes_nothing(manager, stored, kind, content, expected):
    before = counts()
    result = run(manager, kind, content)
    assert not result.ok
    assert any(message.startswith(expected) for message in result.errors), result.errors
    assert result.error_count == len(result.errors)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert counts() == before


def test_one_bad_row_among_good_ones_writes_none_of_them(manager, stored):
    content = csv_file(
        OFFENCES_HEADER,
        f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,2019-10-01",  # a change
        f"REC-2,{PNC_A},2020-02-01,shoplifting,caution,2020-02-10,,",  # new
        f"REC-3,{PNC_B},2020-05-05,robbery,caution,,,",  # no outcome date
    )
    before = counts()
    result = run(manager, "offences", content)
    assert result.errors == [
        "row 4, column outcome_date: the date of the caution (required when the outcome is caution)"
    ]
    assert counts() == before
    stored["record"].refresh_from_db()
    assert stored["record"].release_date == datetime.date(2019, 9, 1)


def test_rows_are_numbered_from_the_header_counting_blank_lines(manager, stored):
    content = csv_file(PEOPLE_HEADER, f"{PNC_C},,Ann,Lee,1990-01-01,female,white,norwich", "", "2013/1,,A,B,,,,")
    result = run(manager, "people", content)
    assert result.errors == [
        "row 4, column pnc_id: Enter a PNC ID as YYYY/NNNNNNNL: a four-digit year, a slash, seven digits and a "
        "check letter.",
        "row 4, column date_of_birth: a value is required",
    ]


def test_swapping_crns_between_two_people_in_one_file_is_allowed(manager, stored):
    stored["b"].crn = "Y654321"
    stored["b"].save()
    content = csv_file(
        PEOPLE_HEADER,
        f"{PNC_A},Y654321,Dylan,Thacker,1990-05-17,male,white,norwich",
        f"{PNC_B},X123456,Rhys,Booth,{stored['b'].date_of_birth},male,white,norwich",
    )
    result = run(manager, "people", content)
    assert result.ok, result.errors
    assert (result.updated, result.created) == (2, 0)
    assert set(Person.objects.values_list("pnc_id", "crn", "version")) == {(PNC_A, "Y654321", 2), (PNC_B, "X123456", 2)}
    assert sorted(event.changes["crn"] for event in row_audits("person")) == [
        ["X123456", "Y654321"],
        ["Y654321", "X123456"],
    ]


def test_a_crn_given_up_by_a_stored_person_can_go_to_a_new_one_in_the_same_file(manager, stored):
    content = csv_file(
        PEOPLE_HEADER,
        f"{PNC_A},,Dylan,Thacker,1990-05-17,male,white,norwich",
        f"{PNC_C},X123456,Ann,Lee,1990-01-01,female,white,norwich",
    )
    result = run(manager, "people", content)
    assert (result.updated, result.created) == (1, 1), result.errors
    assert dict(Person.objects.filter(crn__isnull=False).values_list("pnc_id", "crn")) == {PNC_C: "X123456"}


def test_only_the_first_hundred_errors_are_kept_in_file_order_but_all_are_counted(manager, stored):
    rows = [f"REC-{n},{UNKNOWN_PNC},2020-01-01,shoplifting,none,,," for n in range(150)]
    rows.append("REC-0,,2020-01-01,shoplifting,none,,,")  # a repeated key and a missing PNC ID on row 152
    result = run(manager, "offences", csv_file(OFFENCES_HEADER, *rows))
    assert result.error_count == 152
    assert len(result.errors) == 100
    numbers = [int(message.split(",")[0].removeprefix("row ")) for message in result.errors]
    assert numbers == list(range(2, 102))
    assert result.errors[0].startswith("row 2, column pnc_id: the PNC ID of a person already recorded")


def test_errors_found_by_checks_across_rows_are_kept_in_row_order(manager, stored):
    """The repeated-key check runs before the per-row checks; the kept errors are still in file order."""
    rows = [f"REC-{n},{PNC_A},2020-01-01,shoplifting,none,2020-01-02,," for n in range(120)]
    rows[1] = rows[0]
    result = run(manager, "offences", csv_file(OFFENCES_HEADER, *rows))
    assert result.error_count == 121
    assert result.errors[:3] == [
        "row 2, column outcome_date: no outcome date when the outcome is none",
        "row 3, column record_id: a key not already used in this file (row 2 has the same)",
        "row 3, column outcome_date: no outcome date when the outcome is none",
    ]
    assert result.errors[-1].startswith("row 100, ")


# --- Encoding, trimming, optional columns and empty cells ------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_is_accepted(manager):
    content = "\ufeff".encode() + csv_file(PEOPLE_HEADER, f"{PNC_C},,Zoë,Ó Briain,1990-01-01,female,white,norwich")
    result = run(manager, "people", content)
    assert result.ok, result.errors
    assert Person.objects.get(pnc_id=PNC_C).first_name == "Zoë"


def test_a_file_that_is_not_utf8_is_rejected_and_writes_nothing(manager):
    content = f"{PEOPLE_HEADER}\r\n{PNC_C},,Zoë,Lee,1990-01-01,female,white,norwich\r\n".encode("latin-1")
    result = run(manager, "people", content)
    assert result.error_count == 1
    assert result.errors[0].startswith("row 1, column (file): a UTF-8 text file (byte ")
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "row 1, column (header): a header row naming the columns: slug, name, description"),
        (b"name,description\r\nFree,\r\n", "row 1, column slug: this required column (it is missing)"),
        (b"slug,name,name\r\nfree,Free,Free\r\n", "row 1, column name: each column once (this one is repeated)"),
    ],
    ids=["empty-file", "no-key-column", "repeated-column"],
)
def test_a_file_without_a_usable_header_writes_nothing(manager, content, error):
    result = run(manager, "cohorts", content)
    assert result.errors == [error]
    assert not Cohort.objects.exists()


def test_cells_and_header_names_are_trimmed_of_surrounding_spaces(manager):
    content = csv_file(
        " pnc_id , crn ,first_name,last_name,date_of_birth,gender,ethnicity,district",
        f"  {PNC_C} , Z000001 ,  Ann  , Lee ,  1990-01-01 , female , white ,  norwich ",
    )
    result = run(manager, "people", content)
    assert result.ok, result.errors
    person = Person.objects.get()
    assert (person.pnc_id, person.crn, person.first_name, person.last_name) == (PNC_C, "Z000001", "Ann", "Lee")
    assert (person.date_of_birth, person.gender, person.district) == (datetime.date(1990, 1, 1), "female", "norwich")


def test_a_people_file_without_crn_or_codes_keeps_the_stored_values(manager, stored):
    content = csv_file("pnc_id,first_name,last_name,date_of_birth", f"{PNC_A},Dylan,Thacker,1990-05-17")
    result = run(manager, "people", content)
    assert (result.updated, result.unchanged) == (0, 1), result.errors
    person = Person.objects.get(pnc_id=PNC_A)
    assert (person.crn, person.gender, person.ethnicity, person.district) == ("X123456", "male", "white", "norwich")


def test_an_offences_file_without_release_date_keeps_the_stored_release_date(manager, stored):
    content = csv_file(
        "record_id,pnc_id,offence_date,offence_category,outcome,outcome_date,disposal",
        f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-02,custody",
    )
    result = run(manager, "offences", content)
    assert (result.updated, result.unchanged) == (1, 0), result.errors
    record = OffenceRecord.objects.get(record_id="REC-1")
    assert (record.outcome_date, record.release_date) == (datetime.date(2019, 3, 2), datetime.date(2019, 9, 1))
    assert record.index_date == datetime.date(2019, 9, 1)
    assert row_audits("offencerecord").get().changes == {"outcome_date": ["2019-03-01", "2019-03-02"]}


def test_a_stored_release_date_still_counts_when_the_column_is_missing(manager, stored):
    """The rules between cells apply to the record as it will be stored: a caution cannot keep a release date."""
    content = csv_file(
        "record_id,pnc_id,offence_date,offence_category,outcome,outcome_date,disposal",
        f"REC-1,{PNC_A},2019-01-10,domestic_burglary,caution,2019-03-01,",
    )
    before = counts()
    result = run(manager, "offences", content)
    assert "row 2, column release_date: no release date unless the disposal is custody" in result.errors
    assert counts() == before


def test_an_empty_cell_clears_the_stored_value(manager, stored):
    content = csv_file(PEOPLE_HEADER, f"{PNC_A},,Dylan,Thacker,1990-05-17,,white,norwich")
    result = run(manager, "people", content)
    assert result.updated == 1, result.errors
    person = Person.objects.get(pnc_id=PNC_A)
    assert (person.crn, person.gender) == (None, None)
    assert row_audits("person").get().changes == {"crn": ["X123456", None], "gender": ["male", None]}


def test_an_empty_release_date_clears_it_and_the_index_event_with_it(manager, stored):
    content = csv_file(OFFENCES_HEADER, f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,")
    assert run(manager, "offences", content).updated == 1
    record = OffenceRecord.objects.get(record_id="REC-1")
    assert (record.release_date, record.index_date, record.follow_up_end, record.waiting_end) == (None,) * 4


def test_an_empty_description_clears_a_cohorts_description(manager, stored):
    assert run(manager, "cohorts", csv_file(COHORTS_HEADER, "fixed,Fixed,")).updated == 1
    assert Cohort.objects.get(slug="fixed").description == ""


def test_a_cohorts_file_without_description_keeps_it(manager, stored):
    assert run(manager, "cohorts", csv_file("slug,name", "fixed,Fixed")).unchanged == 1
    assert Cohort.objects.get(slug="fixed").description == "Neighbourhood crime"


# --- Dry run, derived dates, visibility, permissions -----------------------------------------------------------------


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(manager, stored):
    content = csv_file(
        OFFENCES_HEADER,
        f"REC-1,{PNC_A},2019-01-10,domestic_burglary,conviction,2019-03-01,custody,2019-10-01",
        f"REC-2,{PNC_A},2020-02-01,shoplifting,caution,2020-02-10,,",
        f"REC-3,{PNC_B},2020-05-05,robbery,pending,,,",
    )
    before = counts()
    result = run(manager, "offences", content, dry_run=True)
    assert result.ok and result.dry_run
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 2, 1, 0)
    assert counts() == before
    stored["record"].refresh_from_db()
    assert stored["record"].release_date == datetime.date(2019, 9, 1)


def test_a_dry_run_reports_errors_like_a_real_run(manager, stored):
    content = csv_file(OFFENCES_HEADER, f"REC-2,{UNKNOWN_PNC},2020-02-01,shoplifting,none,,,")
    result = run(manager, "offences", content, dry_run=True)
    assert result.error_count == 1
    assert result.errors[0].startswith("row 2, column pnc_id: ")


DERIVED_CASES = [
    # record_id, offence_date, category, outcome, outcome_date, disposal, release_date
    ("D-1", "2015-10-01", "robbery", "conviction", "2015-12-01", "custody", "2016-02-29"),
    ("D-2", "2019-05-01", "shoplifting", "caution", "2019-08-31", "", ""),
    ("D-3", "2019-05-01", "criminal_damage", "conviction", "2019-06-30", "community", ""),
    ("D-4", "2018-01-01", "domestic_burglary", "conviction", "2018-03-01", "custody", ""),
    ("D-5", "2018-01-01", "fraud", "pending", "", "", ""),
    ("D-6", "2018-01-01", "breach", "none", "", "", ""),
    ("D-7", "2020-02-29", "drugs", "conviction", "2020-02-29", "fine", ""),
]


def test_derived_dates_of_imported_records_equal_what_save_computes(manager, stored):
    rows = [",".join([record_id, PNC_B, *rest]) for record_id, *rest in DERIVED_CASES]
    assert run(manager, "offences", csv_file(OFFENCES_HEADER, *rows)).ok
    leap = OffenceRecord.objects.get(record_id="D-1")
    assert (leap.index_date, leap.follow_up_end, leap.waiting_end) == (
        datetime.date(2016, 2, 29),
        datetime.date(2017, 2, 28),
        datetime.date(2017, 8, 28),
    )
    for imported in OffenceRecord.objects.filter(record_id__startswith="D-"):
        saved = OffenceRecord(
            record_id=f"{imported.record_id}-saved",
            person=imported.person,
            offence_date=imported.offence_date,
            offence_category=imported.offence_category,
            outcome=imported.outcome,
            outcome_date=imported.outcome_date,
            disposal=imported.disposal,
            release_date=imported.release_date,
        )
        saved.save()
        saved.refresh_from_db()
        assert (imported.index_date, imported.follow_up_end, imported.waiting_end) == (
            saved.index_date,
            saved.follow_up_end,
            saved.waiting_end,
        ), imported.record_id
    assert OffenceRecord.objects.get(record_id="D-2").waiting_end == datetime.date(2021, 2, 28)
    assert OffenceRecord.objects.get(record_id="D-4").index_date is None  # still in custody
    assert OffenceRecord.objects.get(record_id="D-7").disposal == Disposal.FINE


def test_imported_people_have_no_case_and_every_schemes_managers_see_them(manager, outsider_manager, officer):
    assert run(manager, "people", CLEAN["people"]).ok
    imported = set(Person.objects.filter(pnc_id__in=[PNC_A, PNC_B]).values_list("pk", flat=True))
    assert len(imported) == 2
    assert not Person.objects.filter(pk__in=imported, cases__isnull=False).exists()
    for user in (manager, outsider_manager):
        assert imported <= set(access.person_list_visible_to(user=user).values_list("pk", flat=True)), user
    assert not imported & set(access.person_list_visible_to(user=officer).values_list("pk", flat=True))


def test_imported_cohorts_belong_to_no_scheme_and_every_schemes_managers_see_them(manager, outsider_manager):
    assert run(manager, "cohorts", CLEAN["cohorts"]).ok
    assert set(Cohort.objects.values_list("scheme", flat=True)) == {None}
    for user in (manager, outsider_manager):
        assert set(access.cohort_list_visible_to(user=user).values_list("slug", flat=True)) == {"fixed", "flex"}


def test_the_operators_import_is_audited_under_the_commands_name(stored):
    result = run(None, "cohorts", csv_file(COHORTS_HEADER, "fixed,Fixed cohort,Neighbourhood crime"))
    assert result.updated == 1
    event = row_audits("cohort").get()
    assert (event.user, event.username) == (None, "import_data (command)")


@pytest.mark.parametrize(
    "role", ["officer", "probation", "partner", "coordinator", "employer", "analyst", "admin", "outsider_manager"]
)
def test_only_iom_managers_import(all_roles, stored, role):
    user = all_roles[role]
    before = counts()
    if user.role == Role.IOM_MANAGER:
        assert run(user, "cohorts", CLEAN["cohorts"]).ok  # a manager of any scheme
        return
    with pytest.raises(PermissionDenied):
        run(user, "cohorts", CLEAN["cohorts"])
    with pytest.raises(PermissionDenied):
        import_run_start(acting_user=user, kind="cohorts", content=CLEAN["cohorts"], enqueue=False)
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_an_inactive_manager_cannot_import(manager):
    manager.is_active = False
    manager.save()
    with pytest.raises(PermissionDenied):
        run(manager, "cohorts", CLEAN["cohorts"])


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        run(None, "interventions", CLEAN["cohorts"])


# --- Scale: a fixed number of queries whatever the file's size -------------------------------------------------------

PEOPLE_AT_SCALE = 2_000
CATEGORIES = ("shoplifting", "domestic_burglary", "robbery", "criminal_damage", "breach", "drugs")


def _offence_rows(start: int, count: int, pnc_ids: list[str]) -> bytes:
    """``count`` records: a mix of cautions, community orders, custody with and without release, and none."""
    lines = [OFFENCES_HEADER]
    base = datetime.date(2016, 1, 1)
    for n in range(start, start + count):
        offence = base + datetime.timedelta(days=n % 1400)
        proved = offence + datetime.timedelta(days=30 + n % 60)
        kind = n % 5
        if kind == 0:
            tail = f"caution,{proved},,"
        elif kind == 1:
            tail = f"conviction,{proved},community,"
        elif kind == 2:
            tail = f"conviction,{proved},custody,{proved + datetime.timedelta(days=90 + n % 300)}"
        elif kind == 3:
            tail = f"conviction,{proved},custody,"
        else:
            tail = "none,,,"
        lines.append(f"S-{n:07d},{pnc_ids[n % len(pnc_ids)]},{offence},{CATEGORIES[n % len(CATEGORIES)]},{tail}")
    return ("\n".join(lines) + "\n").encode()


def test_a_hundred_thousand_row_offences_file_takes_the_same_queries_as_a_thousand(
    manager, django_assert_max_num_queries
):
    pnc_ids = [make_pnc_id(2012, 1_000_000 + n) for n in range(PEOPLE_AT_SCALE)]
    people = csv_file("pnc_id,first_name,last_name,date_of_birth", *(f"{p},Test,Person,1980-01-01" for p in pnc_ids))
    assert run(manager, "people", people).created == PEOPLE_AT_SCALE

    with django_assert_max_num_queries(50) as small:
        result = run(manager, "offences", _offence_rows(0, 1_000, pnc_ids))
    assert result.created == 1_000, result.errors[:3]

    with django_assert_max_num_queries(len(small)) as large:
        result = run(manager, "offences", _offence_rows(1_000, 100_000, pnc_ids))
    assert result.ok, result.errors[:3]
    assert (result.rows, result.created) == (100_000, 100_000)
    assert len(large) == len(small), "\n".join(query["sql"][:200] for query in large.captured_queries)
    assert OffenceRecord.objects.count() == 101_000
    assert AuditEvent.objects.filter(object_type="importrun").count() == 3

    # Spot-check what the bulk path stored against the model's own arithmetic.
    for record_id in ("S-0001002", "S-0050002", "S-0100997"):
        record = OffenceRecord.objects.get(record_id=record_id)
        assert (record.disposal, record.release_date is not None) == (Disposal.CUSTODY, True)
        imported = (record.index_date, record.follow_up_end, record.waiting_end)
        record.save()  # recomputes the three dates
        record.refresh_from_db()
        assert (record.index_date, record.follow_up_end, record.waiting_end) == imported
