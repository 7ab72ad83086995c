"""The whole path a reviewer would take: ``seed_demo``, then four CSV files through ``manage.py import_data``, then
the metric endpoints read with the demo analyst's token, compared figure by figure with the plain-Python reference
(tests/outcomes/reference_metrics.py) computed from the same files.

The files are generated from one seed with the awkward cases in them: leap days, ties on the index date decided
by ``record_id`` case, custody with and without a release date (some releases after ``as_of``), breaches, pending
and unproven outcomes, exits and re-adoptions, and people with no gender, ethnicity or district.
"""

import csv
import datetime
import io
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from iom.models import User
from iom.pnc import make_pnc_id
from tests.outcomes import reference_metrics as reference

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 6, 30)
COHORTS = ("e2e-fixed", "e2e-flex")
CATEGORIES = list(reference.CATEGORIES)


def _date(rng: random.Random, start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, days))


def _build(rng: random.Random) -> tuple[dict[str, str], reference.World]:
    people, records, memberships = {}, [], []
    person_rows, record_rows, membership_rows = [], [], []
    for number in range(1, 301):
        pnc_id = make_pnc_id(2011, 4_000_000 + number)
        born = datetime.date(2000, 2, 29) if number % 37 == 0 else _date(rng, datetime.date(1958, 1, 1), 17000)
        codes = {
            "gender": rng.choice(["male", "male", "female", "other", "unknown", None]),
            "ethnicity": rng.choice(["white", "white", "black", "asian", "mixed", "other", "not_stated", None]),
            "district": rng.choice([*reference.DISTRICTS, None]),
        }
        people[number] = reference.Person(id=number, date_of_birth=born, **codes)
        person_rows.append([pnc_id, f"First{number}", f"Last{number}", born.isoformat(), *codes.values()])
        adopted = _date(rng, datetime.date(2015, 1, 1), 2500)
        cohort = rng.choice(COHORTS)
        exited = adopted + datetime.timedelta(days=rng.randint(0, 700)) if rng.random() < 0.4 else None
        memberships.append(reference.Membership(person_id=number, cohort=cohort, adopted_on=adopted, exited_on=exited))
        membership_rows.append([pnc_id, cohort, adopted.isoformat(), exited, "Reduced risk" if exited else None])
        if exited is not None and rng.random() < 0.5:
            again = exited + datetime.timedelta(days=rng.randint(1, 300))
            memberships.append(reference.Membership(person_id=number, cohort=cohort, adopted_on=again))
            membership_rows.append([pnc_id, cohort, again.isoformat(), None, None])
        for index in range(rng.randint(0, 9)):
            leap = rng.random() < 0.05
            offence = datetime.date(2016, 2, 29) if leap else _date(rng, datetime.date(2014, 1, 1), 3700)
            outcome = rng.choice(["conviction", "conviction", "caution", "none", "pending"])
            outcome_date = disposal = release = None
            if outcome in ("conviction", "caution"):
                outcome_date = offence if leap else offence + datetime.timedelta(days=rng.choice([0, 0, 30, 200]))
            if outcome == "conviction":
                disposal = rng.choice(["custody", "community", "suspended", "fine", "discharge", "other"])
                if disposal == "custody" and rng.random() < 0.8:
                    release = outcome_date + datetime.timedelta(days=rng.choice([0, 90, 365, 800]))
            record_id = f"{'ab'[index % 2] if index % 3 else 'AB'[index % 2]}-{number:04d}-{index}"
            category = rng.choice(CATEGORIES)
            records.append(
                reference.Record(
                    record_id=record_id,
                    person_id=number,
                    offence_date=offence,
                    offence_category=category,
                    outcome=outcome,
                    outcome_date=outcome_date,
                    disposal=disposal,
                    release_date=release,
                )
            )
            record_rows.append([record_id, pnc_id, offence, category, outcome, outcome_date, disposal, release])
    files = {
        "cohorts": _csv(["slug", "name", "description"], [[slug, slug.title(), ""] for slug in COHORTS]),
        "people": _csv(
            ["pnc_id", "first_name", "last_name", "date_of_birth", "gender", "ethnicity", "district"], person_rows
        ),
        "memberships": _csv(["pnc_id", "cohort", "adopted_on", "exited_on", "exit_reason"], membership_rows),
        "offences": _csv(
            [
                "record_id",
                "pnc_id",
                "offence_date",
                "offence_category",
                "outcome",
                "outcome_date",
                "disposal",
                "release_date",
            ],
            record_rows,
        ),
    }
    return files, reference.World(people=people, records=records, memberships=memberships)


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return out.getvalue()


@pytest.fixture
def analyst_api(tmp_path: Path, settings):
    call_command("seed_demo", force=True, verbosity=0)  # pytest-django runs with DEBUG off
    files, world = _build(random.Random(20261201))  # noqa: S311 (test data)
    for kind in ("cohorts", "people", "memberships", "offences"):
        path = tmp_path / f"{kind}.csv"
        path.write_text(files[kind], encoding="utf-8")
        call_command("import_data", kind, str(path), verbosity=0)
    client = APIClient()
    _, token = AuthToken.objects.create(user=User.objects.get(username="analyst"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, world


def _without_freshness(body: dict) -> dict:
    body.pop("data_as_of")
    return body


def test_imported_data_reads_through_the_api_as_the_reference_computes_it(analyst_api):
    client, world = analyst_api
    windows = [
        (datetime.date(2016, 1, 1), datetime.date(2016, 12, 31)),
        (datetime.date(2016, 2, 29), datetime.date(2016, 2, 29)),
        (datetime.date(2017, 4, 1), datetime.date(2019, 3, 31)),
        (datetime.date(2022, 7, 1), datetime.date(2023, 12, 31)),
    ]
    for index_from, index_to in windows:
        for cohort in (None, *COHORTS):
            query = f"index_from={index_from}&index_to={index_to}&as_of={AS_OF}" + (
                f"&cohort={cohort}" if cohort else ""
            )
            response = client.get(f"/api/v1/metrics/reoffending/?{query}")
            assert response.status_code == 200, response.content
            expected = reference.reoffending(
                world, index_from=index_from, index_to=index_to, as_of=AS_OF, cohort=cohort
            )
            assert _without_freshness(response.json()) == expected, (index_from, index_to, cohort)
    for cohort in (None, *COHORTS):
        query = f"from_quarter=2015Q1&to_quarter=2023Q2&as_of={AS_OF}" + (f"&cohort={cohort}" if cohort else "")
        response = client.get(f"/api/v1/metrics/reoffending/quarterly/?{query}")
        assert response.status_code == 200
        expected = reference.reoffending_quarterly(
            world, from_quarter="2015Q1", to_quarter="2023Q2", as_of=AS_OF, cohort=cohort
        )
        assert _without_freshness(response.json()) == expected
    for cohort in COHORTS:
        response = client.get(f"/api/v1/metrics/pre-post/?cohort={cohort}&as_of={AS_OF}")
        assert response.status_code == 200
        body = _without_freshness(response.json())
        expected = reference.pre_post(world, cohort=cohort, as_of=AS_OF)
        assert {key: body[key] for key in expected} == expected
        assert body["members"] >= 5  # the comparison is of real figures, not of two suppressions
