"""``manage.py seed_demo``: a small, believable Norfolk IOM scheme for demonstrations and manual testing.

Case content (people, cases, panel decisions, pathway assessments, actions and
notes) is written through ``iom.services`` so the demo data passes the same
validation and leaves the same s.62 audit trail as real work. Organisations,
the scheme, its teams and accounts have no write service (administrators keep
them in the Django admin), so they are written directly.

Running it again changes nothing: reference data and accounts are only
created when missing (an existing account only has its demo password made to
work again), and people and cases are only created when no demo person exists
yet. Demo PNC numbers start with 99 (docs/data-formats.md), which is how demo
people are recognised and why they never collide with imported data.
"""

import datetime
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from faker import Faker

from iom.dates import add_months
from iom.errors import ConflictError
from iom.management.demo import DemoCommand
from iom.models import (
    Action,
    ActionStatus,
    Case,
    CaseNote,
    CaseStatus,
    Cohort,
    District,
    Ethnicity,
    Flag,
    Gender,
    Membership,
    NeedLevel,
    NoteType,
    Organisation,
    OrganisationType,
    Pathway,
    PathwayAssessment,
    Person,
    Rag,
    RiskOfSeriousHarm,
    Role,
    Scheme,
    Sensitivity,
    Team,
    User,
)
from iom.pnc import make_pnc_id
from iom.services import (
    action_add,
    action_complete,
    case_open,
    case_set_status,
    cohort_create,
    membership_adopt,
    membership_exit,
    note_add,
    pathway_assess,
    person_create,
)

# Published in the README for demonstrations; the command refuses to run with DEBUG off unless forced.
DEMO_PASSWORD = "iom-demo-2026"  # noqa: S105
SEED = 2026
FIRST_DEMO_NUMBER = 9_900_001  # seven-digit PNC numbers starting 99 are reserved for demo data
DEMO_PNC_MARKER = "/99"  # every demo PNC ID reads YYYY/99NNNNNL

SCHEME_NAME, FORCE_AREA = "Norfolk IOM", "Norfolk"
NORWICH, YARMOUTH, LYNN = "Norwich IOM", "Great Yarmouth IOM", "King's Lynn IOM"

ORGANISATIONS: dict[str, tuple[str, str]] = {
    "police": ("Norfolk Constabulary", OrganisationType.POLICE),
    "probation": ("Probation Service \u2013 East of England", OrganisationType.PROBATION),
    "housing": ("Broadland Housing Association", OrganisationType.HOUSING),
    "opcc": ("Office of the Police and Crime Commissioner for Norfolk", OrganisationType.OPCC),
    "care_homes": ("Anglia Care Homes Ltd", OrganisationType.EMPLOYER),
    "construction": ("Yare Valley Construction", OrganisationType.EMPLOYER),
    "council": ("Norwich City Council", OrganisationType.COUNCIL),
    "health": ("Norfolk and Suffolk NHS Foundation Trust", OrganisationType.HEALTH),
    "substance_misuse": ("Change Grow Live Norfolk", OrganisationType.SUBSTANCE_MISUSE),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str  # a key of ORGANISATIONS
    teams: tuple[str, ...] = ()
    is_staff: bool = False


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("officer", "Dan", "Howes", Role.IOM_OFFICER, "police", (NORWICH,)),
    DemoAccount("officer2", "Kirsty", "Blake", Role.IOM_OFFICER, "police", (YARMOUTH,)),
    DemoAccount("probation", "Amira", "Hassan", Role.OFFENDER_MANAGER, "probation", (NORWICH,)),
    # In every team of the scheme, so the scheme-wide view of an IOM manager is the whole of Norfolk IOM.
    DemoAccount("manager", "Mark", "Reeve", Role.IOM_MANAGER, "police", (NORWICH, YARMOUTH, LYNN)),
    DemoAccount("partner", "Joanne", "Platt", Role.PARTNER_CASEWORKER, "housing"),
    DemoAccount("coordinator", "Helen", "Marsh", Role.SCHEME_COORDINATOR, "opcc"),
    DemoAccount("employer", "Gary", "Moss", Role.EMPLOYER, "care_homes"),
    DemoAccount("employer2", "Lucy", "Thorne", Role.EMPLOYER, "construction"),
    DemoAccount("analyst", "Tom", "Ellis", Role.ANALYST, "opcc"),
    # Staff for the Django admin's reference data, never a superuser (docs/roles.md).
    DemoAccount("admin", "Ruth", "Adeyemi", Role.ADMINISTRATOR, "opcc", is_staff=True),
)

COHORTS: tuple[tuple[str, str, str], ...] = (
    ("fixed", "Fixed", "Neighbourhood-crime cohort: burglary, robbery, vehicle crime and theft from the person."),
    ("flex", "Flex", "Local-priority cohort chosen by the Norfolk IOM panel."),
)


@dataclass(frozen=True)
class TeamPlan:
    """How one team's demo caseload is made up and who works it."""

    team: str
    people: int
    districts: tuple[tuple[str, int], ...]
    places: tuple[str, ...]
    worker: str  # records panel decisions, assessments and actions
    lead_officer: str
    offender_manager: str | None
    colleagues: tuple[str, ...]  # also own actions and write notes


# Most people are in Norwich so the demo officer has a real caseload (about 30 active cases).
TEAM_PLANS: tuple[TeamPlan, ...] = (
    TeamPlan(
        NORWICH,
        34,
        ((District.NORWICH, 60), (District.BROADLAND, 18), (District.SOUTH_NORFOLK, 17), (District.OUTSIDE_NORFOLK, 5)),
        ("Mile Cross", "Lakenham", "Bowthorpe", "the city centre"),
        worker="officer",
        lead_officer="officer",
        offender_manager="probation",
        colleagues=("probation",),
    ),
    TeamPlan(
        YARMOUTH,
        15,
        ((District.GREAT_YARMOUTH, 75), (District.NORTH_NORFOLK, 15), (District.BROADLAND, 10)),
        ("Southtown", "Gorleston", "the seafront"),
        worker="officer2",
        lead_officer="officer2",
        offender_manager=None,
        colleagues=("manager",),
    ),
    TeamPlan(
        LYNN,
        11,
        ((District.KINGS_LYNN_WEST_NORFOLK, 75), (District.BRECKLAND, 25)),
        ("Fairstead", "South Lynn", "the bus station"),
        worker="manager",
        lead_officer="manager",
        offender_manager=None,
        colleagues=(),
    ),
)

REDUCED = "Reduced offending \u2013 no longer meets criteria"
CUSTODY = "Sentenced to long custodial term"
MOVED = "Moved out of area"
STEPPED_DOWN = "Offending reduced \u2013 stepped down to Flex for continued support"

# Stories: how a person's cohort history runs. "Ends" stories also end the case (closed or paused).
ACTIVE, EXIT_REDUCED, EXIT_MOVED, EXIT_CUSTODY, STEP_DOWN, READOPTED = (
    "active",
    "exit_reduced",
    "exit_moved",
    "exit_custody",
    "step_down",
    "readopted",
)
ENDS_CASE = {EXIT_REDUCED: CaseStatus.CLOSED, EXIT_MOVED: CaseStatus.CLOSED, EXIT_CUSTODY: CaseStatus.PAUSED}
EXIT_REASONS = {EXIT_REDUCED: REDUCED, EXIT_MOVED: MOVED, EXIT_CUSTODY: CUSTODY, STEP_DOWN: STEPPED_DOWN}

GENDERS = ((Gender.MALE, 84), (Gender.FEMALE, 13), (Gender.OTHER, 1), (Gender.UNKNOWN, 2))
ETHNICITIES = (
    (Ethnicity.WHITE, 80),
    (Ethnicity.BLACK, 5),
    (Ethnicity.MIXED, 5),
    (Ethnicity.ASIAN, 4),
    (Ethnicity.OTHER, 2),
    (Ethnicity.NOT_STATED, 4),
)
RISKS = (
    (RiskOfSeriousHarm.LOW, 25),
    (RiskOfSeriousHarm.MEDIUM, 48),
    (RiskOfSeriousHarm.HIGH, 20),
    (RiskOfSeriousHarm.VERY_HIGH, 4),
    (None, 3),  # not yet assessed
)
PATHWAY_WEIGHTS = (
    (Pathway.ACCOMMODATION, 25),
    (Pathway.EDUCATION_TRAINING_EMPLOYMENT, 25),
    (Pathway.DRUGS_ALCOHOL, 25),
    (Pathway.FINANCE_BENEFIT_DEBT, 15),
    (Pathway.ATTITUDES_THINKING_BEHAVIOUR, 15),
    (Pathway.HEALTH, 10),
    (Pathway.CHILDREN_FAMILIES, 8),
)
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN)
NEEDS = {
    Rag.RED: ((NeedLevel.HIGH, 80), (NeedLevel.MEDIUM, 20)),
    Rag.AMBER: ((NeedLevel.MEDIUM, 70), (NeedLevel.LOW, 30)),
    Rag.GREEN: ((NeedLevel.LOW, 60), (NeedLevel.NONE, 40)),
}
ASSESSMENT_NOTES = {
    Rag.RED: ("Significant need and no progress yet.", "Need has escalated since the last review.", ""),
    Rag.AMBER: ("Some progress; support in place.", "Engaging, but not consistently.", ""),
    Rag.GREEN: ("Need largely met; keep under review.", "Stable for over a month.", ""),
}

PATHWAY_ACTIONS: dict[str | None, tuple[str, ...]] = {
    Pathway.ACCOMMODATION: (
        "Support application to Broadland Housing Association",
        "Attend housing options appointment at the council",
        "Agree a plan to clear rent arrears with the landlord",
    ),
    Pathway.EDUCATION_TRAINING_EMPLOYMENT: (
        "Refer to Gateway to Employment",
        "Enrol on CSCS card course",
        "Update CV with the Jobcentre work coach",
    ),
    Pathway.DRUGS_ALCOHOL: (
        "Attend Change Grow Live assessment appointment",
        "Attend weekly recovery group",
        "Review prescribing with the substance misuse worker",
    ),
    Pathway.HEALTH: ("Register with a GP", "Attend mental health wellbeing service assessment"),
    Pathway.FINANCE_BENEFIT_DEBT: (
        "Open a basic bank account",
        "Book Universal Credit appointment with DWP",
        "See the debt advice service about court fines",
    ),
    Pathway.CHILDREN_FAMILIES: ("Attend parenting course", "Agree contact arrangements with children's services"),
    Pathway.ATTITUDES_THINKING_BEHAVIOUR: (
        "Complete Thinking Skills Programme session",
        "Attend restorative justice information session",
    ),
    None: ("Home visit to check licence conditions", "Three-way meeting with police and probation"),
}

NOTE_TYPES = ((NoteType.CONTACT, 35), (NoteType.PHONE, 30), (NoteType.HOME_VISIT, 25))
NOTE_TEXTS = {
    NoteType.CONTACT: (
        "Office appointment with {name}. Reports being settled; discussed {topic}.",
        "Joint police and probation appointment with {name}. Went through the action plan; next steps on {topic}.",
        "Saw {name} in {place} during patrol. Brief chat; reminded of the next appointment.",
        "{name} attended as planned and engaged well. Talked about {topic}.",
    ),
    NoteType.HOME_VISIT: (
        "Home visit to {name}. Address tidy, no concerns noted.",
        "Home visit: no answer. Card left and follow-up call arranged.",
        "Home visit with the housing support worker. {name} raised worries about {topic}.",
    ),
    NoteType.PHONE: (
        "Phone call with {name} to confirm the Jobcentre appointment.",
        "{name} phoned to say they are unwell and cannot attend; rearranged for next week.",
        "Called {name}: reports things going well and asked for help with {topic}.",
    ),
}
RESTRICTED_TEXTS = (
    "Intelligence indicates {name} is associating with a known supplier in {place}. "
    "Not for disclosure outside police and probation.",
    "Partner agency reported a domestic incident at {name}'s address; MARAC referral under consideration.",
    "Tasking discussed at the daily management meeting; details held on police systems only.",
)


# --- Date helpers -----------------------------------------------------------


def _panel_date(today: datetime.date, months_ago: int) -> datetime.date:
    """The monthly panel (second Wednesday) ``months_ago`` calendar months before this one.

    Decisions are dated on panel days so the demo reads like a real panel history;
    with ``months_ago`` >= 1 the date is always in the past, as the services require.
    """
    index = today.year * 12 + today.month - 1 - months_ago
    first = datetime.date(index // 12, index % 12 + 1, 1)
    first_wednesday = first + datetime.timedelta(days=(2 - first.weekday()) % 7)
    return first_wednesday + datetime.timedelta(days=7)


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _dates_between(rng: random.Random, start: datetime.date, end: datetime.date, count: int) -> list[datetime.date]:
    """Up to ``count`` distinct sorted dates in [start, end] (fewer when the window is shorter)."""
    span = max((end - start).days, 0) + 1
    offsets = sorted(rng.sample(range(span), min(count, span)))
    return [start + datetime.timedelta(days=offset) for offset in offsets]


def _weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _weighted_sample(rng: random.Random, options: Sequence[tuple[Any, int]], count: int) -> list[Any]:
    """``count`` distinct values, each pick weighted: common pathways come up more often."""
    remaining = list(options)
    chosen = []
    for _ in range(min(count, len(remaining))):
        pick = _weighted(rng, remaining)
        chosen.append(pick)
        remaining = [option for option in remaining if option[0] != pick]
    return chosen


# --- Reference data and accounts --------------------------------------------


@dataclass
class Cast:
    """Everything the caseload builder needs, looked up once."""

    scheme: Scheme
    teams: dict[str, Team]
    organisations: dict[str, Organisation]
    users: dict[str, User]
    cohorts: dict[str, Cohort]
    flags: dict[str, Flag]


def _ensure_reference_data() -> tuple[Scheme, dict[str, Team], dict[str, Organisation]]:
    """Scheme, teams and organisations are created when missing and otherwise left exactly as they are."""
    scheme, _ = Scheme.objects.get_or_create(name=SCHEME_NAME, defaults={"force_area": FORCE_AREA})
    teams = {
        name: Team.objects.get_or_create(name=name, defaults={"scheme": scheme})[0]
        for name in (NORWICH, YARMOUTH, LYNN)
    }
    organisations = {
        key: Organisation.objects.get_or_create(name=name, defaults={"type": org_type})[0]
        for key, (name, org_type) in ORGANISATIONS.items()
    }
    return scheme, teams, organisations


def _ensure_accounts(
    teams: dict[str, Team], organisations: dict[str, Organisation]
) -> tuple[dict[str, User], list[str], list[str]]:
    """Create missing demo accounts; on existing ones only make the demo password work again.

    Returns the users by username, the usernames created and those whose password was reset.
    """
    users, created, reset = {}, [], []
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                email=f"{account.username}@example.org",
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
                organisation=organisations[account.organisation],
                is_staff=account.is_staff,
                is_superuser=False,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.teams.set([teams[name] for name in account.teams])
            created.append(account.username)
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            reset.append(account.username)
        users[account.username] = user
    return users, created, reset


def _ensure_cohorts(*, scheme: Scheme, manager: User) -> dict[str, Cohort]:
    """Missing cohorts are created through the service (audited, validated) by the demo IOM manager."""
    cohorts = {}
    for slug, name, description in COHORTS:
        cohort = Cohort.objects.filter(slug=slug).first()
        if cohort is None:
            cohort = cohort_create(acting_user=manager, slug=slug, name=name, description=description, scheme=scheme)
        cohorts[slug] = cohort
    return cohorts


def demo_people() -> QuerySet[Person]:
    return Person.objects.filter(pnc_id__contains=DEMO_PNC_MARKER)


# --- The caseload -------------------------------------------------------------


class CaseloadBuilder:
    """Creates the demo people and everything on their cases, reproducibly from one seed."""

    def __init__(self, cast: Cast, *, today: datetime.date) -> None:
        self.cast = cast
        self.today = today
        self.rng = random.Random(SEED)  # noqa: S311 (reproducible demo data, not security)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.manager = cast.users["manager"]
        self.taken_crns = set(Person.objects.filter(crn__isnull=False).values_list("crn", flat=True))

    def build(self) -> None:
        number = FIRST_DEMO_NUMBER
        for plan in TEAM_PLANS:
            for _ in range(plan.people):
                self._build_one(plan, number)
                number += 1

    def _user(self, username: str | None) -> User | None:
        return self.cast.users[username] if username else None

    def _build_one(self, plan: TeamPlan, number: int) -> None:
        rng, users = self.rng, self.cast.users
        worker = users[plan.worker]
        cohort_slug = "fixed" if rng.random() < 0.65 else "flex"
        adopted_months_ago = rng.randint(1, 24)
        adopted_on = _panel_date(self.today, adopted_months_ago)
        opened_on = adopted_on - datetime.timedelta(days=rng.randint(0, 21))
        story = self._story(cohort_slug, adopted_months_ago)

        person = self._person(plan, number, cohort_slug)
        case = case_open(
            acting_user=worker,
            person=person,
            team=self.cast.teams[plan.team],
            lead_officer=self._user(plan.lead_officer),
            offender_manager=self._user(plan.offender_manager),
            opened_on=opened_on,
        )
        end = self._memberships(
            person=person,
            case=case,
            worker=worker,
            cohort_slug=cohort_slug,
            adopted_months_ago=adopted_months_ago,
            story=story,
        )
        authors = [worker, *(users[name] for name in plan.colleagues if name != "manager")]
        owners = [worker, *(users[name] for name in plan.colleagues)]
        pathways = self._assessments(case=case, authors=authors, end=end)
        self._actions(
            case=case, authors=authors, owners=owners, pathways=pathways, end=end, all_done=story in ENDS_CASE
        )
        self._notes(case=case, person=person, plan=plan, authors=authors, pathways=pathways, end=end)
        if story in ENDS_CASE:
            # The service dates a closure today; the exit itself keeps its real panel date.
            case_set_status(acting_user=worker, case=case, version=case.version, status=ENDS_CASE[story])

    def _story(self, cohort_slug: str, adopted_months_ago: int) -> str:
        """Enough time must have passed for a story: an exit at least three months after adoption."""
        options = [(ACTIVE, 64)]
        if adopted_months_ago >= 4:
            options += [(EXIT_REDUCED, 7), (EXIT_MOVED, 4), (EXIT_CUSTODY, 5)]
        if adopted_months_ago >= 5 and cohort_slug == "fixed":
            options.append((STEP_DOWN, 10))
        if adopted_months_ago >= 6:
            options.append((READOPTED, 6))
        return _weighted(self.rng, options)

    def _person(self, plan: TeamPlan, number: int, cohort_slug: str) -> Person:
        rng, fake = self.rng, self.fake
        gender = _weighted(rng, GENDERS)
        first_name = {Gender.MALE: fake.first_name_male, Gender.FEMALE: fake.first_name_female}.get(
            gender, fake.first_name
        )()
        last_name = fake.last_name()
        age = min(60, int(rng.triangular(18, 61, 24)))  # IOM cohorts are mostly in their twenties and thirties
        latest = add_months(self.today, -12 * age)
        earliest = add_months(self.today, -12 * (age + 1)) + datetime.timedelta(days=1)
        date_of_birth = _date_between(rng, earliest, latest)
        first_arrest_year = min(self.today.year - 1, date_of_birth.year + rng.randint(12, 22))
        crn = f"X99{number % 10_000:04d}" if rng.random() < 0.85 else None  # demo CRNs start X99 too
        if crn in self.taken_crns:
            crn = None
        aliases = ""
        if rng.random() < 0.2:
            aliases = rng.choice([f"{fake.first_name()} {last_name}", f"{first_name} {fake.last_name()}"])
        ethnicity = _weighted(rng, ETHNICITIES)
        district = _weighted(rng, plan.districts)
        risk_of_serious_harm = _weighted(rng, RISKS)
        chances = {
            "neighbourhood-crime": 0.8 if cohort_slug == "fixed" else 0.15,
            "drugs": 0.45,
            "domestic-abuse-perpetrator": 0.15,
            "night-time-economy": 0.15 if cohort_slug == "fixed" else 0.35,
        }
        flags = [
            self.cast.flags[code]
            for code, chance in chances.items()
            if code in self.cast.flags and rng.random() < chance
        ]
        # Created by the manager without a team, so the case can be opened with its real (past) date below.
        return person_create(
            acting_user=self.manager,
            pnc_id=make_pnc_id(first_arrest_year, number),
            crn=crn,
            first_name=first_name,
            last_name=last_name,
            aliases=aliases,
            date_of_birth=date_of_birth,
            gender=gender,
            ethnicity=ethnicity,
            district=district,
            risk_of_serious_harm=risk_of_serious_harm,
            flags=flags,
        )

    def _memberships(
        self, *, person: Person, case: Case, worker: User, cohort_slug: str, adopted_months_ago: int, story: str
    ) -> datetime.date:
        """Record the panel history of ``story``; return the last day of work on the case."""
        rng, cohorts = self.rng, self.cast.cohorts
        cohort = cohorts[cohort_slug]
        adopted_on = _panel_date(self.today, adopted_months_ago)
        membership = membership_adopt(
            acting_user=worker, person=person, cohort=cohort, adopted_on=adopted_on, panel_date=adopted_on
        )
        self._panel_note(case, worker, adopted_on, f"Adopted into the {cohort.name} cohort at the monthly IOM panel.")
        if story == ACTIVE:
            return self.today
        exit_months_ago = rng.randint(3 if story == READOPTED else 1, adopted_months_ago - 3)
        exited_on = _panel_date(self.today, exit_months_ago)
        reason = EXIT_REASONS.get(story, REDUCED)
        membership_exit(
            acting_user=worker, membership=membership, exited_on=exited_on, exit_reason=reason, panel_date=exited_on
        )
        self._panel_note(case, worker, exited_on, f"Exit from the {cohort.name} cohort agreed at panel: {reason}.")
        if story == STEP_DOWN:
            flex_from = exited_on + datetime.timedelta(days=1)
            membership_adopt(
                acting_user=worker, person=person, cohort=cohorts["flex"], adopted_on=flex_from, panel_date=exited_on
            )
            self._panel_note(case, worker, flex_from, "Adopted into the Flex cohort for continued support.")
        elif story == READOPTED:
            readopted_on = _panel_date(self.today, rng.randint(1, exit_months_ago - 2))
            membership_adopt(
                acting_user=worker, person=person, cohort=cohort, adopted_on=readopted_on, panel_date=readopted_on
            )
            self._panel_note(
                case, worker, readopted_on, f"Re-adopted into the {cohort.name} cohort after further offending."
            )
        return exited_on if story in ENDS_CASE else self.today

    def _panel_note(self, case: Case, author: User, on: datetime.date, text: str) -> None:
        note_add(acting_user=author, case=case, note_type=NoteType.PANEL, text=text, occurred_on=on)

    def _assessments(self, *, case: Case, authors: list[User], end: datetime.date) -> list[str]:
        """2-4 pathways, each with 2-4 dated assessments whose RAG moves over time. Returns the pathways."""
        rng = self.rng
        pathways = _weighted_sample(rng, PATHWAY_WEIGHTS, rng.randint(2, 4))
        improving = rng.random() < 0.65
        for pathway in pathways:
            level = 0 if rng.random() < 0.55 else 1
            dates = _dates_between(rng, case.opened_on, end, rng.randint(2, 4))
            for index, assessed_on in enumerate(dates):
                if index:
                    steps = ((1, 60), (0, 30), (-1, 10)) if improving else ((1, 30), (0, 40), (-1, 30))
                    level = min(2, max(0, level + _weighted(rng, steps)))
                rag = RAG_ORDER[level]
                pathway_assess(
                    acting_user=rng.choice(authors),
                    case=case,
                    pathway=pathway,
                    need_level=_weighted(rng, NEEDS[rag]),
                    rag=rag,
                    assessed_on=assessed_on,
                    notes=rng.choice(ASSESSMENT_NOTES[rag]),
                )
        return pathways

    def _actions(
        self,
        *,
        case: Case,
        authors: list[User],
        owners: list[User],
        pathways: list[str],
        end: datetime.date,
        all_done: bool,
    ) -> None:
        """2-5 actions: done, overdue, due this week or later. Cases that end get only completed actions."""
        rng, today = self.rng, self.today
        kinds = (("done", 35), ("overdue", 20), ("this_week", 20), ("later", 25))
        for _ in range(rng.randint(2, 5)):
            kind = "done" if all_done else _weighted(rng, kinds)
            if kind == "done" and (end - case.opened_on).days < 3:
                continue
            overdue_from = max(case.opened_on + datetime.timedelta(days=2), today - datetime.timedelta(days=35))
            if kind == "overdue" and overdue_from >= today:
                kind = "this_week"
            if kind == "done":
                set_on = _date_between(rng, case.opened_on, end - datetime.timedelta(days=2))
                due_on = set_on + datetime.timedelta(days=rng.randint(7, 35))
                done_on = _date_between(
                    rng, set_on + datetime.timedelta(days=1), min(end, due_on + datetime.timedelta(days=10))
                )
            elif kind == "overdue":
                due_on = _date_between(rng, overdue_from, today - datetime.timedelta(days=1))
                set_on = _date_between(rng, max(case.opened_on, due_on - datetime.timedelta(days=42)), due_on)
                done_on = None
            else:
                due_on = today + datetime.timedelta(
                    days=rng.randint(0, 6) if kind == "this_week" else rng.randint(7, 60)
                )
                set_on = _date_between(rng, max(case.opened_on, today - datetime.timedelta(days=28)), today)
                done_on = None
            pathway = rng.choice([*pathways, None])
            author = rng.choice(authors)
            action = action_add(
                acting_user=author,
                case=case,
                description=rng.choice(PATHWAY_ACTIONS[pathway]),
                owner=rng.choice(owners),
                due_on=due_on,
                pathway=pathway,
            )
            self._backdate(action, set_on)
            if done_on is not None:
                action_complete(acting_user=author, action=action, version=action.version, done_on=done_on)

    def _backdate(self, action: Action, set_on: datetime.date) -> None:
        """Date the action on the day it was set: action_complete refuses a completion before ``created_at``,
        so without this every demo action would have been completed today. The only direct write."""
        created_at = timezone.make_aware(datetime.datetime.combine(set_on, datetime.time(9 + self.rng.randint(0, 7))))
        Action.objects.filter(pk=action.pk).update(created_at=created_at)
        action.created_at = created_at

    def _notes(
        self,
        *,
        case: Case,
        person: Person,
        plan: TeamPlan,
        authors: list[User],
        pathways: list[str],
        end: datetime.date,
    ) -> None:
        """Contact, phone and home-visit notes across the case's life; a few restricted intelligence notes."""
        rng = self.rng
        topics = [Pathway(pathway).label.lower() for pathway in pathways]
        for occurred_on in _dates_between(rng, case.opened_on, end, rng.randint(3, 7)):
            words = {"name": person.first_name, "topic": rng.choice(topics), "place": rng.choice(plan.places)}
            if rng.random() < 0.07:
                # Intelligence comes from the police side of the team (the first author is the police worker).
                note_type, sensitivity, author = NoteType.INTELLIGENCE, Sensitivity.RESTRICTED, authors[0]
                text = rng.choice(RESTRICTED_TEXTS).format(**words)
            else:
                note_type, sensitivity, author = _weighted(rng, NOTE_TYPES), Sensitivity.NORMAL, rng.choice(authors)
                text = rng.choice(NOTE_TEXTS[note_type]).format(**words)
            note_add(
                acting_user=author,
                case=case,
                note_type=note_type,
                text=text,
                occurred_on=occurred_on,
                sensitivity=sensitivity,
            )


# --- The command --------------------------------------------------------------


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class Command(DemoCommand):
    help = (
        "Create the demo Norfolk IOM scheme: organisations, teams, cohorts, one account per role "
        f"(password {DEMO_PASSWORD}) and about 60 people with cases. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            with transaction.atomic():
                scheme, teams, organisations = _ensure_reference_data()
                users, created, reset = _ensure_accounts(teams, organisations)
                cast = Cast(
                    scheme=scheme,
                    teams=teams,
                    organisations=organisations,
                    users=users,
                    cohorts=_ensure_cohorts(scheme=scheme, manager=users["manager"]),
                    flags={flag.code: flag for flag in Flag.objects.filter(active=True)},
                )
                people_existed = demo_people().exists()
                if not people_existed:
                    CaseloadBuilder(cast, today=timezone.localdate()).build()
        except (ValidationError, PermissionDenied, Http404, ConflictError) as exc:
            raise CommandError(f"Nothing was saved: the demo data was refused ({_describe(exc)}).") from exc
        if options["verbosity"] >= 1:
            self._summarise(
                cast, created=created, reset=reset, people_existed=people_existed, seconds=time.monotonic() - started
            )
        # Partner services, employers, referrals and interventions live in higher layers: run their seeders by name,
        # if installed.
        if "seed_demo_partners" in get_commands():
            call_command(
                "seed_demo_partners", force=options["force"], verbosity=options["verbosity"], stdout=self.stdout
            )
        if "seed_demo_outcomes" in get_commands():
            call_command(
                "seed_demo_outcomes", force=options["force"], verbosity=options["verbosity"], stdout=self.stdout
            )

    def _summarise(
        self, cast: Cast, *, created: list[str], reset: list[str], people_existed: bool, seconds: float
    ) -> None:
        """Counts of the demo people's records (not of imported data) and the accounts to sign in with."""
        today = timezone.localdate()
        people = demo_people()
        cases = Case.objects.filter(person__in=people).aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)),
            paused=Count("pk", filter=Q(status=CaseStatus.PAUSED)),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
            officer=Count("pk", filter=Q(status=CaseStatus.ACTIVE, lead_officer=cast.users["officer"])),
        )
        memberships = Membership.objects.filter(person__in=people).aggregate(
            total=Count("pk"), exited=Count("pk", filter=Q(exited_on__isnull=False))
        )
        actions = Action.objects.filter(case__person__in=people).aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
            this_week=Count(
                "pk",
                filter=Q(status=ActionStatus.OPEN, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=6)),
            ),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        )
        notes = CaseNote.objects.filter(case__person__in=people).aggregate(
            total=Count("pk"), restricted=Count("pk", filter=Q(sensitivity=Sensitivity.RESTRICTED))
        )
        assessments = PathwayAssessment.objects.filter(case__person__in=people).count()

        write = self.stdout.write
        if people_existed:
            write("Demo people already exist: people and cases left as they were.")
        write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
        write(f"  {cast.scheme.name}: teams {', '.join(cast.teams)}; {len(cast.organisations)} organisations.")
        write(f"  Cohorts: {', '.join(f'{cohort.slug} ({cohort.name})' for cohort in cast.cohorts.values())}.")
        write(
            f"  People {people.count()}; cases {cases['total']} ({cases['active']} active, {cases['paused']} paused, "
            f"{cases['closed']} closed; {cases['officer']} active led by officer)."
        )
        write(
            f"  Memberships {memberships['total']} ({memberships['exited']} exited); pathway assessments {assessments}."
        )
        write(
            f"  Actions {actions['total']} ({actions['overdue']} overdue, {actions['this_week']} due within a week, "
            f"{actions['done']} done); notes {notes['total']} ({notes['restricted']} restricted)."
        )
        if created:
            write(f"  Accounts created: {', '.join(created)}.")
        if reset:
            write(f"  Demo password restored for: {', '.join(reset)}.")
        write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            user = cast.users[account.username]
            where = ORGANISATIONS[account.organisation][0] + (f" ({', '.join(account.teams)})" if account.teams else "")
            write(f"  {account.username:<12} {user.get_role_display():<20} {where}")
