"""Benchmark: importing offence records, and the reoffending metric over them, at scale.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/iom_bench \
        .venv/bin/python bench/imports.py --rows 1000000

Runs in a throw-away test database (``test_<name>``, created and dropped here), so it never touches real data.
Figures are ratios against baselines measured in the same run on the same machine: reading the CSV with Python's
``csv`` module (the least any import must do), and ``COUNT(*)`` over the table for the metric.
"""

import argparse
import csv
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.db import connection  # noqa: E402

from iom.pnc import make_pnc_id  # noqa: E402
from outcomes.metrics import reoffending, reoffending_quarterly  # noqa: E402
from outcomes.models import OffenceRecord  # noqa: E402
from outcomes.services.imports import import_csv  # noqa: E402

CATEGORIES = ["shoplifting", "domestic_burglary", "drugs", "breach", "robbery", "violence_with_injury", "other_theft"]


def build(rows: int, people: int) -> tuple[bytes, bytes]:
    rng = random.Random(1)  # noqa: S311 (benchmark data)
    pnc_ids = [make_pnc_id(2010, 1_000_000 + number) for number in range(people)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pnc_id", "first_name", "last_name", "date_of_birth", "gender", "district"])
    for number, pnc_id in enumerate(pnc_ids):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 15000))
        writer.writerow([pnc_id, f"First{number}", f"Last{number}", born, rng.choice(["male", "female"]), "norwich"])
    people_csv = out.getvalue().encode()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["record_id", "pnc_id", "offence_date", "offence_category", "outcome", "outcome_date", "disposal"])
    for number in range(rows):
        day = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randint(0, 4000))
        outcome = rng.choice(["conviction", "conviction", "caution", "none"])
        proved = day + datetime.timedelta(days=rng.randint(0, 120)) if outcome != "none" else ""
        disposal = rng.choice(["community", "fine"]) if outcome == "conviction" else ""
        writer.writerow([f"B{number:08d}", rng.choice(pnc_ids), day, rng.choice(CATEGORIES), outcome, proved, disposal])
    return people_csv, out.getvalue().encode()


def timed(label: str, function, baseline: float | None = None):
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    ratio = f"  ({seconds / baseline:.1f}x baseline)" if baseline else ""
    print(f"{label:<46} {seconds:8.2f} s{ratio}")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=None, help="default: rows / 10")
    args = parser.parse_args()
    people = args.people or max(args.rows // 10, 10)
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"{connection.vendor}, {args.rows:,} offence rows for {people:,} people, {os.cpu_count()} CPUs")
        people_csv, offences_csv = build(args.rows, people)
        print(f"offences file: {len(offences_csv) / 1e6:.1f} MB")
        result, _ = timed("people import", lambda: import_csv(acting_user=None, kind="people", content=people_csv))
        assert result.ok, result.errors[:3]
        _, base = timed(
            "baseline: csv.reader over the offences file",
            lambda: sum(1 for _ in csv.reader(io.StringIO(offences_csv.decode()))),
        )
        timed(
            "dry run (every row checked, nothing written)",
            lambda: import_csv(acting_user=None, kind="offences", content=offences_csv, dry_run=True),
            base,
        )
        result, seconds = timed(
            "import (checked and written)",
            lambda: import_csv(acting_user=None, kind="offences", content=offences_csv),
            base,
        )
        assert result.ok and result.created == args.rows, (result.created, result.errors[:3])
        print(f"{'':<46} {args.rows / seconds:8,.0f} rows/s")
        result, _ = timed(
            "re-import of the same file (all unchanged)",
            lambda: import_csv(acting_user=None, kind="offences", content=offences_csv),
            base,
        )
        assert result.unchanged == args.rows
        _, count_base = timed("baseline: COUNT(*) of offence records", OffenceRecord.objects.count)
        timed(
            "reoffending, one year window with breakdowns",
            lambda: reoffending(
                index_from=datetime.date(2015, 1, 1),
                index_to=datetime.date(2015, 12, 31),
                as_of=datetime.date(2026, 12, 1),
            ),
            count_base,
        )
        timed(
            "reoffending quarterly, 2013Q1..2020Q4",
            lambda: reoffending_quarterly(from_quarter="2013Q1", to_quarter="2020Q4", as_of=datetime.date(2026, 12, 1)),
            count_base,
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"(dropped {test_name})")


if __name__ == "__main__":
    main()
