"""``manage.py seed_demo_outcomes``: the programme catalogue and about 40 interventions on the demo cases.

It builds on ``seed_demo`` (which runs it at its end, after ``seed_demo_partners``) and needs that command's
organisations, accounts and people. Catalogue programmes are reference data, created for each demo
organisation that exists when missing; the interventions are recorded through ``outcomes.services`` by each
case's lead officer (or its offender manager), so they pass the same validation and leave the same audit trail
as real work. Running it again changes nothing: interventions are only added while no demo case has one.
"""

import datetime
import random
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from iom.errors import ConflictError
from iom.management.commands.seed_demo import ORGANISATIONS, _describe, demo_people
from iom.management.demo import DemoCommand
from iom.models import Case, Organisation
from outcomes.models import Intervention, InterventionOutcome, Programme, ProgrammeType
from outcomes.services import intervention_record

T = ProgrammeType
Outcome = InterventionOutcome

# (name, demo organisation key, type)
PROGRAMMES: list[tuple[str, str, str]] = [
    ("Thinking Skills Programme", "probation", T.ACCREDITED_PROGRAMME),
    ("Building Better Relationships", "probation", T.ACCREDITED_PROGRAMME),
    ("Victim awareness course", "probation", T.VICTIM_AWARENESS),
    ("Structured drug treatment", "substance_misuse", T.DRUG_TREATMENT),
    ("Mental health and wellbeing support", "health", T.MENTAL_HEALTH),
    ("Tenancy sustainment support", "housing", T.HOUSING_SUPPORT),
    ("Restorative justice conference", "opcc", T.RESTORATIVE_JUSTICE),
    ("Functional skills: English and maths", "council", T.EDUCATION_TRAINING),
    ("Construction work placement", "construction", T.EMPLOYMENT_PLACEMENT),
]
INTERVENTIONS = 40
OUTCOME_WEIGHTS = {Outcome.ONGOING: 4, Outcome.COMPLETED: 4, Outcome.PARTIALLY_COMPLETED: 2, Outcome.DROPPED_OUT: 2}


def _ensure_programmes() -> tuple[list[Programme], list[str]]:
    names = [name for name, _ in ORGANISATIONS.values()]
    organisations = {org.name: org for org in Organisation.objects.filter(name__in=names)}
    programmes, created = [], []
    for name, key, programme_type in PROGRAMMES:
        provider = organisations.get(ORGANISATIONS[key][0])
        if provider is None:
            continue
        programme, was_created = Programme.objects.get_or_create(
            provider=provider, name=name, defaults={"programme_type": programme_type}
        )
        programmes.append(programme)
        if was_created:
            created.append(name)
    return programmes, created


def _build_interventions(programmes: list[Programme], *, today: datetime.date) -> int:
    """Record ``INTERVENTIONS`` interventions on demo cases, reproducibly from one seed."""
    rng = random.Random(2013)  # noqa: S311 (demo data, not security)
    cases = list(
        Case.objects.filter(person__in=demo_people())
        .select_related("lead_officer", "offender_manager")
        .prefetch_related("referrals__service")
        .order_by("pk")
    )
    recorded = 0
    for case in cases:
        if recorded >= INTERVENTIONS:
            break
        acting_user = case.lead_officer or case.offender_manager
        if acting_user is None:
            continue
        programme = programmes[recorded % len(programmes)]
        earliest = max(case.opened_on, today - datetime.timedelta(days=540))
        started_on = earliest + datetime.timedelta(days=rng.randint(0, max((today - earliest).days - 1, 0)))
        outcome = rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
        planned = rng.choice([6, 8, 10, 12, 16, 20, 24])
        if outcome == Outcome.ONGOING:
            ended_on, attended = None, rng.randint(0, planned - 1)
        else:
            ended_on = min(started_on + datetime.timedelta(days=7 * planned + rng.randint(0, 30)), today)
            attended = {
                Outcome.COMPLETED: planned,
                Outcome.PARTIALLY_COMPLETED: rng.randint(planned // 2, planned - 1),
                Outcome.DROPPED_OUT: rng.randint(0, planned // 3),
            }[outcome]
        referral = next((r for r in case.referrals.all() if r.service.organisation_id == programme.provider_id), None)
        intervention_record(
            acting_user=acting_user,
            case=case,
            programme=programme,
            started_on=started_on,
            ended_on=ended_on,
            sessions_planned=planned,
            sessions_attended=attended,
            outcome=outcome,
            referral=referral,
        )
        recorded += 1
    return recorded


class Command(DemoCommand):
    help = (
        "Add the programme catalogue and about 40 interventions to the demo data of seed_demo, which runs this "
        "at its end. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        recorded = 0
        try:
            with transaction.atomic():
                programmes, created = _ensure_programmes()
                existed = Intervention.objects.filter(case__person__in=demo_people()).exists()
                if not existed:
                    if not programmes:
                        raise CommandError("Run seed_demo first: none of the demo organisations exists.")
                    if not demo_people().exists():
                        raise CommandError("Run seed_demo first: there are no demo people.")
                    recorded = _build_interventions(programmes, today=timezone.localdate())
        except (ValidationError, PermissionDenied, Http404, ConflictError) as exc:
            raise CommandError(f"Nothing was saved: the outcomes demo data was refused ({_describe(exc)}).") from exc
        if options["verbosity"] >= 1:
            write = self.stdout.write
            if existed:
                write("Outcomes demo data already exists: only the programme catalogue was checked.")
            write(self.style.SUCCESS(f"Outcomes demo data ready in {time.monotonic() - started:.1f} s."))
            if created:
                write(f"  Programmes created: {', '.join(created)}.")
            interventions = Intervention.objects.filter(case__person__in=demo_people())
            by_outcome = dict(interventions.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
            outcomes = ", ".join(
                f"{Outcome(value).label.lower()} {by_outcome.get(value, 0)}" for value in Outcome.values
            )
            write(f"  Programmes {len(programmes)}; interventions {sum(by_outcome.values())} ({outcomes}).")
            if recorded:
                write(f"  Recorded {recorded} interventions this run.")
