"""``manage.py seed_demo_offences``: offence histories for about 400 demo cohort members, so the dashboard and the
metric endpoints have something to show in a demo (``make run`` runs it after ``seed_demo``).

It is deliberately not part of ``seed_demo``: a database that ``seed_demo`` prepared holds no offence records, so
data imported into it afterwards is measured on its own. The people (PNC numbers ``99500001`` onwards, inside
the demo range), their memberships of the demo cohorts and their offence records all go through the import
service as CSV, exactly as an import would, and are reproducible from one seed. Running it again changes nothing.
"""

import csv
import datetime
import io
import random
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from iom.dates import add_months
from iom.management.demo import DemoCommand
from iom.models import Cohort
from iom.pnc import make_pnc_id
from outcomes.models import OffenceRecord
from outcomes.services.imports import ImportResult, import_csv
from outcomes.services.retention import retention_schedules_refresh

PEOPLE = 400
FIRST_NUMBER = 9_950_001  # inside the demo range (seven digits starting 99), after seed_demo's caseload
RECORD_PREFIX = "DEMO-"
COHORTS = ("fixed", "flex")
CATEGORY_WEIGHTS = {
    "shoplifting": 24,
    "domestic_burglary": 9,
    "non_domestic_burglary": 5,
    "theft_from_vehicle": 7,
    "theft_of_vehicle": 4,
    "theft_from_person": 3,
    "other_theft": 8,
    "robbery": 3,
    "violence_with_injury": 6,
    "violence_without_injury": 8,
    "criminal_damage": 6,
    "drugs": 9,
    "public_order": 4,
    "breach": 7,
    "fraud": 2,
    "motoring": 3,
    "arson": 1,
    "other": 2,
}


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return out.getvalue().encode()


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def build_files(*, today: datetime.date, seed: int = 2016) -> dict[str, bytes]:
    """The people, memberships and offences files of the demo cohort members."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    people, memberships, offences = [], [], []
    record = 0
    for number in range(FIRST_NUMBER, FIRST_NUMBER + PEOPLE):
        pnc_id = make_pnc_id(rng.randint(2004, 2016), number)
        gender = rng.choices(["male", "female", "unknown", None], weights=[80, 16, 2, 2])[0]
        first_name = fake.first_name_female() if gender == "female" else fake.first_name_male()
        born = today - datetime.timedelta(days=rng.randint(17 * 365, 58 * 365))
        ethnicity = rng.choices(
            ["white", "black", "asian", "mixed", "other", "not_stated", None], weights=[82, 4, 3, 4, 1, 4, 2]
        )[0]
        district = rng.choices(
            [
                "norwich",
                "great_yarmouth",
                "kings_lynn_west_norfolk",
                "breckland",
                "broadland",
                "north_norfolk",
                "south_norfolk",
                "outside_norfolk",
                None,
            ],
            weights=[30, 18, 14, 10, 8, 6, 7, 4, 3],
        )[0]
        people.append([pnc_id, first_name, fake.last_name(), born.isoformat(), gender, ethnicity, district])

        adopted_on = today - datetime.timedelta(days=rng.randint(120, 8 * 365))
        exited_on = None
        if rng.random() < 0.35:
            exited_on = min(adopted_on + datetime.timedelta(days=rng.randint(90, 900)), today)
        reason = rng.choice(["Reduced risk", "Moved out of area", "Long custodial sentence"]) if exited_on else None
        memberships.append([pnc_id, rng.choice(COHORTS), adopted_on.isoformat(), exited_on, reason])

        # Offending is frequent before adoption and less frequent after it, with a long tail.
        day = adopted_on - datetime.timedelta(days=rng.randint(500, 1400))
        while day < today:
            after = day >= adopted_on
            day += datetime.timedelta(days=int(rng.expovariate(1 / (300 if after else 90))) + 1)
            if day >= today:
                break
            record += 1
            outcome = rng.choices(["conviction", "caution", "none", "pending"], weights=[62, 14, 16, 8])[0]
            if outcome == "pending" and (today - day).days > 400:
                outcome = "conviction"
            outcome_date = disposal = release_date = None
            if outcome in ("conviction", "caution"):
                outcome_date = min(day + datetime.timedelta(days=rng.randint(0, 160)), today)
            if outcome == "conviction":
                disposal = rng.choices(
                    ["custody", "community", "suspended", "fine", "discharge"], weights=[22, 30, 14, 22, 12]
                )[0]
                if disposal == "custody" and outcome_date is not None and rng.random() < 0.9:
                    release_date = add_months(outcome_date, rng.choice([2, 3, 4, 6, 9, 12, 18]))
                    if release_date > today + datetime.timedelta(days=365):
                        release_date = None
            offences.append(
                [
                    f"{RECORD_PREFIX}{record:06d}",
                    pnc_id,
                    day.isoformat(),
                    _weighted(rng, CATEGORY_WEIGHTS),
                    outcome,
                    outcome_date,
                    disposal,
                    release_date,
                ]
            )
            if release_date is not None:
                day = max(day, release_date)  # no offending while in custody
    return {
        "people": _csv(
            ["pnc_id", "first_name", "last_name", "date_of_birth", "gender", "ethnicity", "district"], people
        ),
        "memberships": _csv(["pnc_id", "cohort", "adopted_on", "exited_on", "exit_reason"], memberships),
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
            offences,
        ),
    }


class Command(DemoCommand):
    help = (
        f"Give about {PEOPLE} demo cohort members offence histories (through the import service), for the "
        "dashboard and the metrics. Run after seed_demo; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if OffenceRecord.objects.filter(record_id__startswith=RECORD_PREFIX).exists():
            if options["verbosity"] >= 1:
                self.stdout.write("Demo offence records already exist: left as they were.")
            return
        missing = [slug for slug in COHORTS if not Cohort.objects.filter(slug=slug).exists()]
        if missing:
            raise CommandError(f"Run seed_demo first: the demo cohorts {', '.join(missing)} do not exist.")
        results: list[ImportResult] = []
        with transaction.atomic():  # all three files or none
            for kind, content in build_files(today=timezone.localdate()).items():
                result = import_csv(acting_user=None, kind=kind, content=content)
                if not result.ok:
                    raise CommandError(f"The demo {kind} file was refused: {'; '.join(result.errors[:5])}")
                results.append(result)
        # As the nightly task would: the retention review queue (docs/retention.md) reflects the demo at once.
        scheduled = retention_schedules_refresh()
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Demo offence data ready in {time.monotonic() - started:.1f} s."))
            for result in results:
                self.stdout.write(f"  {result.kind}: {result.created} created, {result.unchanged} unchanged.")
            self.stdout.write(f"  retention review dates: {scheduled} people.")
