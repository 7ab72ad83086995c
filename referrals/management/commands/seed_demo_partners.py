"""``manage.py seed_demo_partners``: partner services, Gateway to Employment employers and referrals in every state.

It builds on ``seed_demo`` (which runs it at its end) and needs that command's demo people and accounts.
Everything is written through the ``partners`` and ``referrals`` services, by the user who would do it for
real: the demo ``admin`` saves partner services; the ``coordinator`` registers employers, records pledges,
publishes opportunities, answers Gateway referrals and matches candidates; the case's lead officer (or its
offender manager) records consent, refers, approves the disclosure and withdraws; the housing ``partner``
works the housing referrals; each employer's own user confirms interviews, starts and sustainment. So the
demo data passes the same validation and leaves the same s.62 audit trail as real work.

The services date what they record "now", which would put every referral, match and opportunity on today.
To give the demo a history, ``_backdate`` moves timestamps after the service has written them -- the only
direct writes, and demo-only: referral ``created_at``/``submitted_at``/``responded_at``/
``disclosure_approved_at``, transition and update times, opportunity ``created_at`` and placement
``matched_at``. ``placement_record_event`` refuses an event dated before the match, so each match is
back-dated before its events are recorded. One submitted housing referral is dated three weeks back on
purpose: it shows as not answered within 10 working days. The audit rows keep the real time of the run.
The notifications the services raise stay in the app, but their email copies are claimed before commit so
none is sent (the demo addresses are example.org).

Running it again changes nothing: organisations, the employers' demo accounts and the partner services are
created when missing; everything else only when none of the demo employers is registered or no demo person
has a referral yet. New employers' accounts are ``employer-<slug>`` with the demo password (not in the README).
"""

import datetime
import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from iom.dates import add_months, age_on
from iom.errors import ConflictError
from iom.management.commands.seed_demo import (
    DEMO_PASSWORD,
    LYNN,
    NORWICH,
    ORGANISATIONS,
    YARMOUTH,
    _describe,
    demo_people,
)
from iom.management.demo import DemoCommand
from iom.models import Case, CaseStatus, District, Notification, Organisation, OrganisationType, Pathway, Role, User
from partners.models import (
    Commitment,
    Employer,
    EmployerSize,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Pledge,
    PledgeStatus,
    Sector,
    Service,
    ServiceType,
)
from partners.services import employer_register, opportunity_save, pledge_lapse, pledge_record, service_save
from referrals.models import (
    Consent,
    ConsentMethod,
    InterviewOutcome,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    Referral,
    ReferralState,
    ReferralTransition,
    ReferralUpdate,
    Urgency,
)
from referrals.rehabilitation import SentenceType
from referrals.selectors import gateway_figures
from referrals.services import (
    consent_record,
    consent_withdraw,
    placement_match,
    placement_record_event,
    referral_add_update,
    referral_approve_disclosure,
    referral_create,
    referral_transition,
)
from referrals.services.referrals import REFERRER_MOVES
from referrals.services.reminders import overdue_referrals

S, K = ReferralState, PlacementEventKind
SUCCESSFUL, UNSUCCESSFUL = InterviewOutcome.SUCCESSFUL, InterviewOutcome.UNSUCCESSFUL
GATEWAY = "Gateway to Employment"
GATEWAY_MIN_AGE = 25  # Gateway candidates are adults at every conviction disclosed below (up to 7 years back)

# --- Organisations and partner services ------------------------------------------------------------------

# Organisations this command adds to seed_demo's ORGANISATIONS (the employers are added from EMPLOYERS).
EXTRA_ORGANISATIONS: dict[str, tuple[str, str]] = {
    "victim_care": ("Norfolk and Suffolk Victim Care", OrganisationType.VICTIM_SUPPORT)
}


@dataclass(frozen=True)
class DemoService:
    key: str
    organisation: str  # a key of ORGANISATIONS or EXTRA_ORGANISATIONS
    name: str
    service_type: str
    eligibility: str
    # Statutory partners (council, NHS) share under their public duties; service_save forces True for the rest.
    consent_required: bool = True
    consent_scope: str = "organisation"  # or "service_type": Gateway consent covers any employer matched
    partner_user: str | None = None  # the demo account that answers its referrals, if there is one


SERVICES: tuple[DemoService, ...] = (
    DemoService(
        "housing",
        "housing",
        "Supported housing",
        ServiceType.HOUSING,
        "Adults 18 and over with a local connection to Norfolk who are homeless or at risk of it on release.",
        partner_user="partner",
    ),
    DemoService(
        "drugs",
        "substance_misuse",
        "Drug and alcohol treatment",
        ServiceType.SUBSTANCE_MISUSE,
        "Anyone in Norfolk using drugs or alcohol who wants help; same-week assessment for IOM referrals.",
    ),
    DemoService(
        "mental_health",
        "health",
        "Mental health liaison",
        ServiceType.MENTAL_HEALTH,
        "Adults on the IOM cohort with a mental health need that is not yet assessed or treated.",
        consent_required=False,
    ),
    DemoService(
        "restorative_justice",
        "victim_care",
        "Restorative justice",
        ServiceType.RESTORATIVE_JUSTICE,
        "People who accept responsibility for their offence; victim-led, so the victim must agree to take part.",
        consent_scope="service_type",
    ),
    DemoService(
        "victim_support",
        "victim_care",
        "Victim Support",
        ServiceType.VICTIM_SUPPORT,
        "Anyone affected by crime in Norfolk or Suffolk, reported to the police or not.",
    ),
    DemoService(
        "debt",
        "council",
        "Debt and benefits advice",
        ServiceType.FINANCE_DEBT,
        "Residents with rent arrears, court fines, benefit problems or debts they cannot manage.",
        consent_required=False,
    ),
    DemoService(
        "gateway",
        "opcc",
        GATEWAY,
        ServiceType.EMPLOYMENT,
        "Adults on the Norfolk IOM cohort who want work, training or a placement, matched to pledged employers.",
        consent_scope="service_type",
        partner_user="coordinator",
    ),
)

# --- Employers, pledges and opportunities ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPledge:
    signed_months_ago: int
    signed_by: str
    opportunities: int
    commitments: tuple[str, ...]
    lapsed: bool = False  # lapsed by the coordinator afterwards


@dataclass(frozen=True)
class DemoOpportunity:
    key: str  # how the stories below refer to it
    opportunity_type: str
    title: str
    district: str
    hours_per_week: int | None
    positions: int
    posted_days_ago: int
    closing_in_days: int | None = None  # negative: the closing date has passed
    final_status: str = OpportunityStatus.OPEN  # set after every match is made


@dataclass(frozen=True)
class DemoEmployer:
    """A fictional Norfolk employer; none of these names is meant to be a real company."""

    name: str
    slug: str  # its employer account is ``employer-<slug>`` unless ``demo_account`` names one of seed_demo's
    sector: str
    size: str
    districts: tuple[str, ...]
    contact_name: str
    contact_phone: str  # Ofcom's drama range 01632 960000-960999: never a real line
    pledges: tuple[DemoPledge, ...] = ()  # in signing order: each new pledge lapses the one before
    opportunities: tuple[DemoOpportunity, ...] = ()
    demo_account: str | None = None

    @property
    def username(self) -> str:
        return self.demo_account or f"employer-{self.slug}"


D, OT, OS, C = District, OpportunityType, OpportunityStatus, Commitment
EMPLOYERS: tuple[DemoEmployer, ...] = (
    DemoEmployer(
        ORGANISATIONS["care_homes"][0],
        "anglia-care-homes",
        Sector.CARE,
        EmployerSize.MEDIUM,
        (D.NORWICH, D.BROADLAND, D.SOUTH_NORFOLK),
        "Sarah Flint",
        "01632 960101",
        pledges=(DemoPledge(20, "Sarah Flint, HR Director", 6, (C.FAIR_CHANCE, C.GUARANTEED_INTERVIEW, C.MENTORING)),),
        opportunities=(
            DemoOpportunity("anglia-nights", OT.JOB, "Care assistant (nights)", D.NORWICH, 36, 2, 290),
            DemoOpportunity("anglia-kitchen", OT.JOB, "Kitchen assistant", D.BROADLAND, 25, 1, 160, -120, OS.FILLED),
            DemoOpportunity(
                "anglia-domestic", OT.JOB, "Domestic assistant", D.SOUTH_NORFOLK, 20, 1, 50, -30, OS.FILLED
            ),
            DemoOpportunity(
                "anglia-apprentice", OT.APPRENTICESHIP, "Apprentice care worker (Level 2)", D.NORWICH, 37, 2, 20, 40
            ),
        ),
        demo_account="employer",
    ),
    DemoEmployer(
        ORGANISATIONS["construction"][0],
        "yare-valley-construction",
        Sector.CONSTRUCTION,
        EmployerSize.SMALL,
        (D.NORWICH, D.SOUTH_NORFOLK, D.GREAT_YARMOUTH),
        "Lucy Thorne",
        "01632 960102",
        pledges=(DemoPledge(14, "Lucy Thorne, Managing Director", 3, (C.BAN_THE_BOX, C.WORK_PLACEMENTS)),),
        opportunities=(
            DemoOpportunity(
                "yare-groundworker",
                OT.APPRENTICESHIP,
                "Groundworker apprentice",
                D.SOUTH_NORFOLK,
                40,
                1,
                250,
                -215,
                OS.FILLED,
            ),
            DemoOpportunity(
                "yare-trial", OT.WORK_TRIAL, "Site labourer work trial (two weeks)", D.GREAT_YARMOUTH, 40, 2, 35, 30
            ),
            DemoOpportunity("yare-cscs", OT.JOB, "CSCS-carded labourer", D.NORWICH, 40, 2, 120, -60, OS.CLOSED),
        ),
        demo_account="employer2",
    ),
    DemoEmployer(
        "Wensum Valley Bakery",
        "wensum-valley-bakery",
        Sector.MANUFACTURING,
        EmployerSize.SMALL,
        (D.NORWICH, D.BROADLAND),
        "Priya Chandran",
        "01632 960103",
        pledges=(DemoPledge(11, "Priya Chandran, Owner", 2, (C.FAIR_CHANCE, C.GUARANTEED_INTERVIEW)),),
        opportunities=(
            DemoOpportunity(
                "wensum-production",
                OT.JOB,
                "Bakery production operative (early shifts)",
                D.NORWICH,
                30,
                1,
                90,
                -60,
                OS.FILLED,
            ),
        ),
    ),
    DemoEmployer(
        "Acle Road Logistics Ltd",
        "acle-road-logistics",
        Sector.LOGISTICS,
        EmployerSize.MEDIUM,
        (D.BROADLAND, D.GREAT_YARMOUTH, D.NORWICH),
        "Martin Cole",
        "01632 960104",
        pledges=(
            DemoPledge(30, "Martin Cole, Operations Director", 2, (C.WORK_PLACEMENTS,)),
            # Re-signed with a bigger pledge: recording it lapses the first one.
            DemoPledge(
                8, "Martin Cole, Operations Director", 4, (C.WORK_PLACEMENTS, C.GUARANTEED_INTERVIEW, C.MENTORING)
            ),
        ),
        opportunities=(
            DemoOpportunity("acle-warehouse", OT.JOB, "Warehouse operative", D.BROADLAND, 40, 3, 115),
            DemoOpportunity(
                "acle-forklift", OT.PLACEMENT, "Forklift training placement", D.GREAT_YARMOUTH, 20, 1, 30, 45
            ),
        ),
    ),
    DemoEmployer(
        "Marshland Fresh Produce",
        "marshland-fresh-produce",
        Sector.AGRICULTURE,
        EmployerSize.MEDIUM,
        (D.KINGS_LYNN_WEST_NORFOLK, D.BRECKLAND),
        "Tomasz Nowak",
        "01632 960105",
        pledges=(DemoPledge(18, "Tomasz Nowak, Site Manager", 5, (C.FAIR_CHANCE, C.WORK_PLACEMENTS)),),
        opportunities=(
            DemoOpportunity(
                "marshland-packhouse", OT.JOB, "Packhouse operative", D.KINGS_LYNN_WEST_NORFOLK, 39, 4, 240
            ),
            DemoOpportunity(
                "marshland-harvest",
                OT.JOB,
                "Seasonal harvest worker",
                D.KINGS_LYNN_WEST_NORFOLK,
                45,
                6,
                200,
                -100,
                OS.CLOSED,
            ),
        ),
    ),
    DemoEmployer(
        "Fenland Fabrications Ltd",
        "fenland-fabrications",
        Sector.MANUFACTURING,
        EmployerSize.SMALL,
        (D.KINGS_LYNN_WEST_NORFOLK,),
        "Dave Rix",
        "01632 960106",
        pledges=(DemoPledge(16, "Dave Rix, Director", 1, (C.GUARANTEED_INTERVIEW,)),),
        opportunities=(
            DemoOpportunity(
                "fenland-fabrication",
                OT.JOB,
                "Fabrication operative",
                D.KINGS_LYNN_WEST_NORFOLK,
                40,
                1,
                180,
                -150,
                OS.FILLED,
            ),
        ),
    ),
    DemoEmployer(
        "Gorleston Quay Hotels",
        "gorleston-quay-hotels",
        Sector.HOSPITALITY,
        EmployerSize.MEDIUM,
        (D.GREAT_YARMOUTH,),
        "Angela Burrows",
        "01632 960107",
        pledges=(DemoPledge(10, "Angela Burrows, General Manager", 3, (C.FAIR_CHANCE, C.MENTORING)),),
        opportunities=(
            DemoOpportunity(
                "gorleston-housekeeping", OT.JOB, "Housekeeping assistant", D.GREAT_YARMOUTH, 24, 2, 20, 25
            ),
            DemoOpportunity(
                "gorleston-chef", OT.APPRENTICESHIP, "Apprentice chef", D.GREAT_YARMOUTH, 37, 1, 150, -90, OS.CLOSED
            ),
        ),
    ),
    DemoEmployer(
        "Brecks Timber Products",
        "brecks-timber-products",
        Sector.MANUFACTURING,
        EmployerSize.SMALL,
        (D.BRECKLAND,),
        "Neil Howlett",
        "01632 960108",
        pledges=(DemoPledge(9, "Neil Howlett, Managing Director", 2, (C.GUARANTEED_INTERVIEW, C.WORK_PLACEMENTS)),),
        opportunities=(DemoOpportunity("brecks-sawmill", OT.WORK_TRIAL, "Sawmill work trial", D.BRECKLAND, 37, 1, 75),),
    ),
    DemoEmployer(
        "Kett's Hill Coffee Roasters",
        "ketts-hill-coffee",
        Sector.HOSPITALITY,
        EmployerSize.MICRO,
        (D.NORWICH,),
        "Jo Linton",
        "01632 960109",
        pledges=(DemoPledge(6, "Jo Linton, Co-founder", 1, (C.BAN_THE_BOX,)),),
        opportunities=(DemoOpportunity("ketts-barista", OT.WORK_TRIAL, "Barista work trial", D.NORWICH, 16, 1, 100),),
    ),
    DemoEmployer(
        "Waveney Valley Motors",
        "waveney-valley-motors",
        Sector.RETAIL,
        EmployerSize.SMALL,
        (D.SOUTH_NORFOLK, D.GREAT_YARMOUTH),
        "Carl Baxter",
        "01632 960110",
        pledges=(DemoPledge(22, "Carl Baxter, Owner", 2, (C.WORK_PLACEMENTS,), lapsed=True),),
        opportunities=(
            DemoOpportunity(
                "waveney-valeting",
                OT.WORK_TRIAL,
                "Vehicle valeting work trial",
                D.SOUTH_NORFOLK,
                30,
                1,
                130,
                -90,
                OS.CLOSED,
            ),
        ),
    ),
    DemoEmployer(
        "Dereham Print and Packaging",
        "dereham-print",
        Sector.MANUFACTURING,
        EmployerSize.SMALL,
        (D.BRECKLAND,),
        "Ruth Spalding",
        "01632 960111",
        pledges=(DemoPledge(4, "Ruth Spalding, HR Manager", 2, (C.FAIR_CHANCE, C.GUARANTEED_INTERVIEW)),),
        opportunities=(
            DemoOpportunity(
                "dereham-apprentice", OT.APPRENTICESHIP, "Apprentice print finisher", D.BRECKLAND, 37, 1, 45, 14
            ),
        ),
    ),
    DemoEmployer(
        "Great Ouse Recycling Ltd",
        "great-ouse-recycling",
        Sector.OTHER,
        EmployerSize.MEDIUM,
        (D.KINGS_LYNN_WEST_NORFOLK,),
        "Imran Shah",
        "01632 960112",
        pledges=(DemoPledge(26, "Imran Shah, Operations Manager", 2, (C.WORK_PLACEMENTS,), lapsed=True),),
        opportunities=(
            DemoOpportunity(
                "ouse-yard", OT.PLACEMENT, "Recycling yard placement", D.KINGS_LYNN_WEST_NORFOLK, 30, 2, 60
            ),
        ),
    ),
    DemoEmployer(
        "Northside Community Kitchen",
        "northside-community-kitchen",
        Sector.OTHER,
        EmployerSize.MICRO,
        (D.NORWICH,),
        "Bev Sutton",
        "01632 960113",
        pledges=(DemoPledge(5, "Bev Sutton, Coordinator", 4, (C.MENTORING, C.WORK_PLACEMENTS)),),
        opportunities=(
            DemoOpportunity("kitchen-volunteer", OT.VOLUNTEERING, "Community kitchen volunteer", D.NORWICH, 8, 4, 70),
        ),
    ),
    # Registered, pledge not yet signed.
    DemoEmployer(
        "Oakmere Garden Centre",
        "oakmere-garden-centre",
        Sector.RETAIL,
        EmployerSize.SMALL,
        (D.NORTH_NORFOLK,),
        "Fiona Hurn",
        "01632 960114",
        opportunities=(
            DemoOpportunity("oakmere-assistant", OT.JOB, "Garden centre assistant", D.NORTH_NORFOLK, 30, 1, 10, 21),
        ),
    ),
    DemoEmployer(
        "Eastgate Office Cleaning Ltd",
        "eastgate-office-cleaning",
        Sector.OTHER,
        EmployerSize.SMALL,
        (D.NORWICH,),
        "Paul Gedge",
        "01632 960115",
        opportunities=(
            DemoOpportunity("eastgate-cleaner", OT.JOB, "Office cleaner (early mornings)", D.NORWICH, 15, 2, 15, 30),
        ),
    ),
)
EMPLOYER_NAMES = tuple(employer.name for employer in EMPLOYERS)

# --- Disclosures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conviction:
    offence_category: str
    sentence_type: SentenceType
    months_ago: int
    length_months: int | None = None  # custodial term or order length; the service derives the last day


ST = SentenceType
# Each set mixes one spent and one unspent conviction (or two unspent), so the employer's view visibly shows
# only part of what the officer listed. No later conviction falls inside an earlier one's rehabilitation
# period, so the drag-through rule changes nothing here.
CONVICTIONS: dict[str, tuple[Conviction, ...]] = {
    # A fine is spent after a year; custody of up to a year a year after it ends (here: ended 9 months ago).
    "A": (Conviction("shoplifting", ST.FINE, 36), Conviction("theft_from_vehicle", ST.CUSTODY, 17, 8)),
    # A community order from 2019 (spent) and 30 months' custody ended 18 months ago: unspent for 4 years.
    "B": (
        Conviction("criminal_damage", ST.COMMUNITY_ORDER, 84, 12),
        Conviction("domestic_burglary", ST.CUSTODY, 48, 30),
    ),
    "C": (
        Conviction("drugs", ST.CONDITIONAL_CAUTION, 24),
        Conviction("theft_from_person", ST.SUSPENDED_SENTENCE, 10, 6),
    ),
    "D": (Conviction("robbery", ST.CUSTODY, 60, 36),),
    "E": (Conviction("motoring", ST.MOTORING_ENDORSEMENT, 30), Conviction("public_order", ST.FINE, 7)),
    "F": (Conviction("other_theft", ST.ABSOLUTE_DISCHARGE, 40), Conviction("shoplifting", ST.COMMUNITY_ORDER, 9, 12)),
    "G": (Conviction("violence_without_injury", ST.COMMUNITY_ORDER, 30, 18), Conviction("shoplifting", ST.FINE, 5)),
}

# --- Referral stories ----------------------------------------------------------------------------------------

# A step is (days_ago, action, *arguments). A story's steps are carried out oldest first (steps on the same day
# in the order written). Actions:
#   "consent"                          the referrer records consent scoped as the service needs
#   "create"                           the referrer creates the draft
#   a ReferralState value [, reason]   referral_transition, by the referrer or the service's partner user
#   "update", "partner"|"referrer", text
#   "disclose"                         the lead officer approves the disclosure of the story's convictions
#   "match", opportunity key           the coordinator matches the referral to that opportunity
#   "event", opportunity key, kind [, outcome or reason]   recorded by that employer's user
#   "consent_withdrawn", reason        the referrer records the withdrawal (the service withdraws the referral)
Step = tuple[Any, ...]


def referred(
    days_ago: int,
    *,
    draft: bool = False,
    consent: bool = True,
    accepted: int | None = None,
    disclosed: int | None = None,
) -> tuple[Step, ...]:
    """The usual start: consent two days before the referral is drafted, submitted the same day (unless a draft)."""
    steps: list[Step] = [(days_ago + 2, "consent")] if consent else []
    steps.append((days_ago, "create"))
    if not draft:
        steps.append((days_ago, S.SUBMITTED))
    if accepted is not None:
        steps.append((accepted, S.ACCEPTED))
    if disclosed is not None:
        steps.append((disclosed, "disclose"))
    return tuple(steps)


def placed(
    opportunity: str,
    matched: int,
    *,
    interview: int | None = None,
    outcome: str = SUCCESSFUL,
    offer: int | None = None,
    started: int | None = None,
    weeks_13: int | None = None,
    weeks_26: int | None = None,
    ended: tuple[int, str] | None = None,
) -> tuple[Step, ...]:
    """A match and what the employer confirmed afterwards; a start also moves the referral to in progress."""
    steps: list[Step] = [(matched, "match", opportunity)]
    if interview is not None:
        steps.append((interview, "event", opportunity, K.INTERVIEW, outcome))
    if offer is not None:
        steps.append((offer, "event", opportunity, K.OFFER))
    if started is not None:
        steps += [(started, S.IN_PROGRESS), (started, "event", opportunity, K.STARTED)]
    if weeks_13 is not None:
        steps.append((weeks_13, "event", opportunity, K.SUSTAINED_13))
    if weeks_26 is not None:
        steps.append((weeks_26, "event", opportunity, K.SUSTAINED_26))
    if ended is not None:
        steps.append((ended[0], "event", opportunity, K.ENDED, ended[1]))
    return tuple(steps)


@dataclass(frozen=True)
class Story:
    service: str  # a DemoService key
    pool: str  # which demo cases it draws from: "gateway", "norwich", "yarmouth" or "lynn"
    reason: str
    shared: str
    steps: tuple[Step, ...]
    pathways: tuple[str, ...] = ()
    referrer: str = "lead"  # "lead": the case's lead officer; "om": its offender manager
    urgency: str = Urgency.ROUTINE
    risk: str = ""
    convictions: str = ""  # a key of CONVICTIONS
    consent_method: str = ConsentMethod.WRITTEN


def gateway(reason: str, convictions: str, *steps: Step, referrer: str = "lead") -> Story:
    return Story(
        "gateway",
        "gateway",
        reason,
        "Name, phone number, work history, qualifications and the convictions approved for disclosure.",
        steps,
        pathways=(Pathway.EDUCATION_TRAINING_EMPLOYMENT,),
        referrer=referrer,
        risk="Low risk of serious harm to the public. No conditions restricting work with adults.",
        convictions=convictions,
    )


def housing(
    reason: str, *steps: Step, pool: str = "norwich", referrer: str = "lead", urgency: str = Urgency.ROUTINE
) -> Story:
    return Story(
        "housing",
        pool,
        reason,
        "Name, date of birth, contact details, housing history, support needs and risk information.",
        steps,
        pathways=(Pathway.ACCOMMODATION,),
        referrer=referrer,
        urgency=urgency,
        risk="Medium risk of serious harm to known adults; no concerns about staff or other residents.",
    )


# Sustainment dates must be at least 13 (26) weeks, i.e. 91 (182) days, after the start.
STORIES: tuple[Story, ...] = (
    # --- Gateway to Employment: every placement stage ------------------------------------------------------
    gateway(
        "Wants steady night work; has cared for his grandmother and gained a Level 2 care certificate in custody.",
        "A",
        *referred(282, accepted=276, disclosed=275),
        *placed("anglia-nights", 270, interview=262, offer=258, started=244, weeks_13=152, weeks_26=61),
        (270, "update", "partner", "Matched to Care assistant (nights) at Anglia Care Homes; CV sent."),
        (58, S.COMPLETED, "Sustained 26 weeks in work; Gateway support ends and the employer keeps in touch."),
    ),
    gateway(
        "Worked as a labourer before custody; wants a trade. Keen on groundworks.",
        "B",
        *referred(238, accepted=233, disclosed=232),
        *placed("yare-groundworker", 228, interview=221, offer=218, started=210, weeks_13=118, weeks_26=27),
        (20, "update", "partner", "26-week review with the site manager: going well, college work on track."),
        referrer="om",
    ),
    gateway(
        "Lives near King's Lynn without a car; needs shift work on the bus route. Forklift experience.",
        "D",
        *referred(232, accepted=228, disclosed=227),
        *placed("marshland-packhouse", 224, interview=219, offer=216, started=205, weeks_13=112, weeks_26=21),
    ),
    gateway(
        "Has food hygiene Level 2; wants part-time hours that fit around his recovery group.",
        "C",
        *referred(148, accepted=144, disclosed=143),
        *placed("anglia-kitchen", 140, interview=133, offer=130, started=122, weeks_13=30),
    ),
    gateway(
        "Welding qualification gained in custody; motivated and reliable at probation appointments.",
        "E",
        *referred(172, accepted=168, disclosed=167),
        *placed("fenland-fabrication", 163, interview=158, offer=155, started=150, weeks_13=57),
        referrer="om",
    ),
    # Started, then consent was withdrawn: the employer loses sight of him, but the start still counts.
    gateway(
        "Wants full-time work; warehouse experience from before his last sentence.",
        "F",
        *referred(108, accepted=104, disclosed=103),
        *placed("acle-warehouse", 100, interview=95, offer=92, started=84),
        (30, "consent_withdrawn", "No longer wants the police involved with his employer; he is staying in the job."),
    ),
    gateway(
        "Looking for daytime work close to home in South Norfolk.",
        "G",
        *referred(43, accepted=40, disclosed=39),
        *placed("anglia-domestic", 35, interview=26, offer=22, started=12),
    ),
    gateway(
        "Has a CSCS card and wants to get back on site.",
        "A",
        *referred(28, accepted=24, disclosed=23),
        *placed("yare-trial", 20, interview=10, offer=5),
        (4, "update", "partner", "Offer accepted; start date being agreed with the site manager."),
    ),
    # Offered months ago and not yet confirmed as started: lets a demo employer confirm a back-dated start
    # and then, straight away, the 13-week sustainment.
    gateway(
        "Reliable at appointments; completed a kitchen skills course with the recovery service.",
        "D",
        *referred(140, accepted=136, disclosed=135),
        *placed("anglia-kitchen", 132, interview=126, offer=122),
    ),
    # Unsuccessful with one employer, then matched to another and started.
    gateway(
        "Wants customer-facing work; did barista training with the prison's social enterprise.",
        "B",
        *referred(98, accepted=95, disclosed=94),
        *placed("ketts-barista", 90, interview=80, outcome=UNSUCCESSFUL),
        (78, "update", "partner", "Not successful at Kett's Hill (little till experience). Looking at production."),
        *placed("wensum-production", 75, interview=68, offer=64, started=56),
    ),
    # Volunteering: tracked, but not counted as an employer taking someone on.
    gateway(
        "Not ready for paid work yet; volunteering to build a routine and get a reference.",
        "C",
        *referred(58, accepted=55, disclosed=54),
        *placed("kitchen-volunteer", 50, interview=45, started=40),
        referrer="om",
    ),
    gateway(
        "Moved to Gorleston; wants part-time hotel work.",
        "D",
        *referred(12, accepted=9, disclosed=8),
        *placed("gorleston-housekeeping", 3),
    ),
    gateway(
        "Good with machines; wants an apprenticeship with day release to college.",
        "E",
        *referred(38, accepted=35, disclosed=34),
        *placed("dereham-apprentice", 25, interview=8),
        (7, "update", "partner", "Interview went well; the employer decides after a practical next week."),
    ),
    # Matched, but the officer has not approved the disclosure yet: the employer cannot see this candidate.
    gateway(
        "Interested in care work after supporting a relative; wants a structured apprenticeship.",
        "",
        *referred(8, accepted=6),
        *placed("anglia-apprentice", 4),
        (4, "update", "partner", "Matched to the care apprenticeship; waiting for the officer's disclosure approval."),
    ),
    # Consent withdrawn after the interview, before any start: the referral is withdrawn and the employer's
    # access ends.
    gateway(
        "Wants outdoor manual work in Breckland.",
        "F",
        *referred(68, accepted=65, disclosed=64),
        *placed("brecks-sawmill", 60, interview=52),
        (15, "consent_withdrawn", "At the office appointment: does not want employers told about his convictions."),
    ),
    gateway(
        "Wants to learn a trade; interested in vehicles.",
        "G",
        *referred(122, accepted=118, disclosed=117),
        *placed(
            "waveney-valeting",
            113,
            interview=108,
            started=104,
            ended=(97, "Stopped attending in the second week and did not answer calls."),
        ),
        (95, S.NOT_ENGAGED, "Left the work trial after a week and has not re-engaged with Gateway."),
    ),
    gateway(
        "Wants any full-time work as soon as possible.",
        "",
        *referred(48),
        (44, S.DECLINED, "No ID or proof of right to work yet. Please refer again once the Jobcentre has helped."),
    ),
    gateway("Finishing a CSCS course next month; wants site work.", "", *referred(3)),
    gateway("Talking about work at his next appointment; draft started.", "", *referred(1, draft=True)),
    # --- Supported housing: every state, worked by the demo partner ----------------------------------------
    housing("Sofa-surfing with a friend in Lakenham; the friend's tenancy is at risk.", *referred(1, draft=True)),
    housing(
        "Released last week with no fixed abode; sleeping in his car.",
        *referred(2),
        referrer="om",
        urgency=Urgency.URGENT,
    ),
    # Not answered in 10 working days: shows as overdue and is picked up by the daily chaser.
    housing("Living in a hostel that is closing at the end of the month.", *referred(21)),
    housing(
        "Family home no longer available after a relationship breakdown.",
        *referred(14, accepted=9),
        (8, "update", "partner", "Assessment booked at our Great Yarmouth office next Tuesday at 10:00."),
        pool="yarmouth",
    ),
    housing(
        "Needs supported accommodation in Norwich on release from recall.",
        *referred(31),
        (26, S.DECLINED, "No vacancy that fits his exclusion zone; please try the council's housing options team."),
    ),
    housing(
        "Rough sleeping on the seafront; wants to move away from associates.",
        *referred(62, accepted=57),
        (44, S.IN_PROGRESS),
        (44, "update", "partner", "Moved into a supported flat in Gorleston; weekly key-work sessions agreed."),
        (18, "update", "partner", "Rent account up to date; working on a budgeting plan."),
        pool="yarmouth",
    ),
    housing(
        "Staying with his mother for now; needs a settled address for his licence.",
        *referred(155, accepted=150),
        (138, S.IN_PROGRESS),
        (137, "update", "partner", "Moved in; support plan agreed covering bills, neighbours and appointments."),
        (36, S.COMPLETED, "Moved on to a general-needs tenancy with us; support ended as planned."),
        pool="yarmouth",
    ),
    housing(
        "Homeless after eviction for rent arrears.",
        *referred(101, accepted=97),
        (90, S.IN_PROGRESS),
        (60, "update", "partner", "Missed two key-work sessions; letter sent and officer informed."),
        (49, S.NOT_ENGAGED, "Missed three key-work appointments in a row and has left the property."),
    ),
    housing(
        "Needs a room while he looks for work.",
        *referred(42),
        (34, S.WITHDRAWN, "Found a private rented room through family; no longer needs supported housing."),
        pool="yarmouth",
    ),
    # Consent withdrawn: the service withdraws the live referral and the partner loses sight of him.
    housing(
        "Current address is unsuitable: associates use it to store stolen goods.",
        *referred(19, accepted=15),
        (6, "consent_withdrawn", "At a home visit: does not want the housing association told about his offending."),
    ),
    # --- Other partners (no demo account answers these) ----------------------------------------------------
    Story(
        "drugs",
        "yarmouth",
        "Using heroin again since release; wants a script and recovery support.",
        "Name, contact details, drug use history, prescribing in custody and risk information.",
        referred(4),
        pathways=(Pathway.DRUGS_ALCOHOL,),
        urgency=Urgency.URGENT,
        consent_method=ConsentMethod.VERBAL,
    ),
    Story(
        "drugs",
        "norwich",
        "Drinking daily; offending linked to alcohol. Wants to cut down.",
        "Name, contact details, alcohol use and the offences linked to it.",
        referred(6),
        pathways=(Pathway.DRUGS_ALCOHOL,),
        referrer="om",
    ),
    Story(
        "mental_health",
        "yarmouth",
        "Low mood and poor sleep since release; not registered with a GP.",
        "Name, date of birth, contact details and the concerns raised at appointments.",
        referred(5, consent=False),
        pathways=(Pathway.HEALTH,),
    ),
    Story(
        "restorative_justice",
        "norwich",
        "Has said he wants to apologise to the victim of the burglary.",
        "Name, contact details and the offence the conference would address.",
        referred(2, draft=True),
        pathways=(Pathway.ATTITUDES_THINKING_BEHAVIOUR,),
    ),
    Story(
        "debt",
        "norwich",
        "Court fines and Universal Credit deductions leave him short every month.",
        "Name, contact details and a summary of his debts and benefit claim.",
        (*referred(24, consent=False), (9, S.WITHDRAWN, "A family member is now helping with the paperwork.")),
        pathways=(Pathway.FINANCE_BENEFIT_DEBT,),
        referrer="om",
    ),
    Story(
        "victim_support",
        "lynn",
        "Was assaulted in South Lynn last month and is anxious about going out.",
        "Name, contact details and the crime reference of the assault.",
        referred(8),
        pathways=(Pathway.HEALTH,),
        consent_method=ConsentMethod.VERBAL,
    ),
)


# --- Placement stages, for the summary ------------------------------------------------------------------------

STAGES = (
    "matched",
    "interviewed (unsuccessful)",
    "interviewed (successful)",
    "offered",
    "started",
    "sustained 13 weeks",
    "sustained 26 weeks",
    "ended",
)


def placement_stages(placements: QuerySet[Placement]) -> Counter[str]:
    """How far each placement got, from its events (the latest interview's outcome decides an interview)."""
    kinds: dict[int, set[str]] = {}
    interview: dict[int, str] = {}
    events = PlacementEvent.objects.filter(placement__in=placements).order_by("occurred_on", "pk")
    for placement_id, kind, outcome in events.values_list("placement_id", "kind", "outcome"):
        kinds.setdefault(placement_id, set()).add(kind)
        if kind == K.INTERVIEW:
            interview[placement_id] = outcome
    stages: Counter[str] = Counter()
    for placement_id in placements.values_list("pk", flat=True):
        seen = kinds.get(placement_id, set())
        if K.ENDED in seen:
            stage = "ended"
        elif K.SUSTAINED_26 in seen:
            stage = "sustained 26 weeks"
        elif K.SUSTAINED_13 in seen:
            stage = "sustained 13 weeks"
        elif K.STARTED in seen:
            stage = "started"
        elif K.OFFER in seen:
            stage = "offered"
        elif K.INTERVIEW in seen:
            stage = f"interviewed ({'successful' if interview[placement_id] == SUCCESSFUL else 'unsuccessful'})"
        else:
            stage = "matched"
        stages[stage] += 1
    return stages


# --- Reference rows --------------------------------------------------------------------------------------------


def _ensure_organisations() -> dict[str, Organisation]:
    """seed_demo's organisations must exist; ours (victim care, the employers) are created when missing."""
    names = [name for name, _ in ORGANISATIONS.values()]
    found = {organisation.name: organisation for organisation in Organisation.objects.filter(name__in=names)}
    missing = sorted(set(names) - set(found))
    if missing:
        raise CommandError(f"Run seed_demo first: missing organisations {', '.join(missing)}.")
    organisations = {key: found[name] for key, (name, _) in ORGANISATIONS.items()}
    extra = {**EXTRA_ORGANISATIONS, **{spec.slug: (spec.name, OrganisationType.EMPLOYER) for spec in EMPLOYERS}}
    for key, (name, org_type) in extra.items():
        organisations[key] = Organisation.objects.get_or_create(name=name, defaults={"type": org_type})[0]
    return organisations


def _ensure_employer_accounts(organisations: dict[str, Organisation]) -> tuple[dict[str, User], list[str]]:
    """One employer account per new employer organisation, so each can confirm its own candidates' events.

    Existing accounts are left as they are. The accounts share one password hash (computed once: PBKDF2 is
    deliberately slow and these all share the published demo password anyway).
    """
    users = {user.username: user for user in User.objects.filter(username__in=[e.username for e in EMPLOYERS])}
    missing_demo = sorted({e.demo_account for e in EMPLOYERS if e.demo_account} - set(users))
    if missing_demo:
        raise CommandError(f"Run seed_demo first: missing demo accounts {', '.join(missing_demo)}.")
    created, password = [], None
    for spec in EMPLOYERS:
        if spec.username in users:
            continue
        password = password or make_password(DEMO_PASSWORD)
        first_name, last_name = spec.contact_name.split(" ", 1)
        user = User.objects.create(
            username=spec.username,
            email=f"{spec.username}@example.org",
            first_name=first_name,
            last_name=last_name,
            role=Role.EMPLOYER,
            organisation=organisations[spec.slug],
            password=password,
        )
        users[spec.username] = user
        created.append(spec.username)
    return users, created


def _ensure_services(*, admin: User, organisations: dict[str, Organisation]) -> tuple[dict[str, Service], list[str]]:
    """Partner services are reference data: the demo administrator saves the missing ones through the service."""
    services, created = {}, []
    for spec in SERVICES:
        organisation = organisations[spec.organisation]
        service = Service.objects.filter(organisation=organisation, name=spec.name).first()
        if service is None:
            service = service_save(
                acting_user=admin,
                organisation=organisation,
                name=spec.name,
                service_type=spec.service_type,
                eligibility=spec.eligibility,
                consent_required=spec.consent_required,
                active=True,
            )
            created.append(spec.name)
        services[spec.key] = service
    return services, created


def _backdate(model: type[models.Model], pk: int, **fields: Any) -> None:
    """Demo-only: date a row the way it would have been had the work really happened then (see module doc)."""
    model._default_manager.filter(pk=pk).update(**fields)


# --- The build ---------------------------------------------------------------------------------------------------


class PartnersBuilder:
    """Employers, pledges, opportunities, consents, referrals and placements, in the order they happened."""

    def __init__(
        self,
        *,
        users: dict[str, User],
        organisations: dict[str, Organisation],
        services: dict[str, Service],
        today: datetime.date,
    ) -> None:
        self.users = users
        self.organisations = organisations
        self.services = services
        self.specs = {spec.key: spec for spec in SERVICES}
        self.today = today
        self.coordinator = users["coordinator"]
        self.opportunities: dict[str, Opportunity] = {}
        self.employer_users: dict[int, User] = {}  # employer organisation id -> the account recording its events
        self.pools = self._case_pools()
        self.used: set[int] = set()
        self.minute = 0
        self.step = ""

    # Dates: "days ago", each step of a story a few minutes after the last so same-day steps keep their order.

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def at(self, days_ago: int) -> datetime.datetime:
        self.minute += 7
        moment = datetime.datetime.combine(self.day(days_ago), datetime.time(9)) + datetime.timedelta(
            minutes=self.minute
        )
        return min(timezone.make_aware(moment), timezone.now())

    # Cases.

    def _case_pools(self) -> dict[str, list[Case]]:
        cases = list(
            Case.objects.filter(person__in=demo_people(), status=CaseStatus.ACTIVE, lead_officer__isnull=False)
            .select_related("person", "team", "lead_officer", "offender_manager")
            .order_by("pk")
        )
        by_team = {team: [case for case in cases if case.team.name == team] for team in (NORWICH, YARMOUTH, LYNN)}
        adults = [
            case
            for case in cases
            if case.person.date_of_birth is not None
            and age_on(case.person.date_of_birth, self.today) >= GATEWAY_MIN_AGE
        ]
        norwich_adults = [case for case in adults if case.team.name == NORWICH]
        return {
            # The officer's own caseload first; then other teams (their lead officer approves the disclosure).
            "gateway": norwich_adults + [case for case in adults if case.team.name != NORWICH],
            "norwich": by_team[NORWICH],
            "yarmouth": by_team[YARMOUTH],
            "lynn": by_team[LYNN],
            "any": cases,
        }

    def _next_case(self, pool: str) -> Case:
        fallback = self.pools["gateway" if pool == "gateway" else "any"]
        for case in [*self.pools[pool], *fallback]:
            if case.pk not in self.used:
                self.used.add(case.pk)
                return case
        raise CommandError(
            f"Not enough active demo cases for the {pool} referrals; run seed_demo on an empty database."
        )

    # Employers.

    def build(self) -> None:
        self._employers()
        for number, story in enumerate(STORIES, start=1):
            self._story(number, story)
        self._final_opportunity_statuses()

    def _employers(self) -> None:
        for spec in EMPLOYERS:
            self.step = f"registering {spec.name}"
            organisation = self.organisations[spec.slug]
            self.employer_users[organisation.pk] = self.users[spec.username]
            employer = Employer.objects.filter(organisation=organisation).first()
            if employer is None:
                employer = employer_register(
                    acting_user=self.coordinator,
                    organisation=organisation,
                    sector=spec.sector,
                    size=spec.size,
                    districts=list(spec.districts),
                    contact_name=spec.contact_name,
                    contact_email=f"recruitment@{spec.slug}.example.org",
                    contact_phone=spec.contact_phone,
                )
                for pledge in spec.pledges:
                    recorded = pledge_record(
                        acting_user=self.coordinator,
                        employer=employer,
                        signed_on=add_months(self.today, -pledge.signed_months_ago),
                        signed_by=pledge.signed_by,
                        opportunities_pledged=pledge.opportunities,
                        commitments=pledge.commitments,
                    )
                    if pledge.lapsed:
                        pledge_lapse(acting_user=self.coordinator, pledge=recorded)
            for opportunity in spec.opportunities:
                self.step = f"publishing {opportunity.title} at {spec.name}"
                saved = Opportunity.objects.filter(employer=employer, title=opportunity.title).first()
                if saved is None:
                    closing = opportunity.closing_in_days
                    saved = opportunity_save(
                        acting_user=self.coordinator,
                        employer=employer,
                        opportunity_type=opportunity.opportunity_type,
                        title=opportunity.title,
                        district=opportunity.district,
                        hours_per_week=opportunity.hours_per_week,
                        positions=opportunity.positions,
                        closing_on=None if closing is None else self.today + datetime.timedelta(days=closing),
                    )
                    _backdate(Opportunity, saved.pk, created_at=self.at(opportunity.posted_days_ago))
                self.opportunities[opportunity.key] = saved

    def _final_opportunity_statuses(self) -> None:
        """Filled and closed only once every match is made (a match needs an open opportunity)."""
        for spec in EMPLOYERS:
            for opportunity in spec.opportunities:
                saved = self.opportunities[opportunity.key]
                if opportunity.final_status != saved.status:
                    self.step = f"marking {opportunity.title} {opportunity.final_status}"
                    opportunity_save(
                        acting_user=self.coordinator,
                        opportunity=saved,
                        version=saved.version,
                        status=opportunity.final_status,
                    )

    # Referrals.

    def _story(self, number: int, story: Story) -> None:
        spec, service = self.specs[story.service], self.services[story.service]
        case = self._next_case(story.pool)
        referrer = case.offender_manager if story.referrer == "om" and case.offender_manager else case.lead_officer
        if referrer is None:  # pragma: no cover - the pools only hold cases with a lead officer
            raise CommandError(f"Case {case.pk} has no lead officer.")
        partner = self.users[spec.partner_user] if spec.partner_user else None
        consent: Consent | None = None
        referral: Referral | None = None
        placements: dict[str, Placement] = {}
        self.minute = 0
        # Oldest first; sorted() is stable, so steps on the same day keep the order they were written in.
        for days_ago, action, *args in sorted(story.steps, key=lambda step: -step[0]):
            self.step = f"story {number} ({spec.name}, case {case.pk}): {action} {days_ago} days ago"
            if action == "consent":
                consent = self._consent(story, spec, service, case, referrer, days_ago)
            elif action == "create":
                referral = self._create(story, service, case, referrer, days_ago)
            elif referral is None:
                raise CommandError(f"{self.step}: the story must create the referral first.")
            elif action in S.values:
                actor = referrer if action in REFERRER_MOVES else partner
                if actor is None:
                    raise CommandError(f"{self.step}: no demo account works referrals to {spec.name}.")
                self._move(referral, action, actor, days_ago, reason=args[0] if args else "")
            elif action == "update":
                by = partner if args[0] == "partner" else referrer
                if by is None:
                    raise CommandError(f"{self.step}: no demo account works referrals to {spec.name}.")
                update = referral_add_update(acting_user=by, referral=referral, text=args[1])
                _backdate(ReferralUpdate, update.pk, at=self.at(days_ago))
            elif action == "disclose":
                self._disclose(referral, case, story.convictions, days_ago)
            elif action == "match":
                placement = placement_match(
                    acting_user=self.coordinator, referral=referral, opportunity=self.opportunities[args[0]]
                )
                _backdate(Placement, placement.pk, matched_at=self.at(days_ago))
                placement.refresh_from_db()
                placements[args[0]] = placement
            elif action == "event":
                self._event(placements[args[0]], args[1], days_ago, detail=args[2] if len(args) > 2 else "")
            elif action == "consent_withdrawn":
                if consent is None:
                    raise CommandError(f"{self.step}: the story must record consent first.")
                withdrawn = consent_withdraw(
                    acting_user=referrer, consent=consent, reason=args[0], withdrawn_on=self.day(days_ago)
                )
                for affected in withdrawn:
                    self._date_last_transition(affected, days_ago)
            else:
                raise CommandError(f"{self.step}: unknown step.")

    def _consent(
        self, story: Story, spec: DemoService, service: Service, case: Case, referrer: User, days_ago: int
    ) -> Consent:
        scope: dict[str, Any] = (
            {"scope_service_type": service.service_type}
            if spec.consent_scope == "service_type"
            else {"scope_organisation": service.organisation}
        )
        return consent_record(
            acting_user=referrer,
            person=case.person,
            shared_information=story.shared,
            method=story.consent_method,
            given_on=self.day(days_ago),
            **scope,
        )

    def _create(self, story: Story, service: Service, case: Case, referrer: User, days_ago: int) -> Referral:
        referral = referral_create(
            acting_user=referrer,
            case=case,
            service=service,
            reason=story.reason,
            shared_information=story.shared,
            pathways=story.pathways,
            urgency=story.urgency,
            risk_summary=story.risk,
        )
        _backdate(Referral, referral.pk, created_at=self.at(days_ago))
        return referral

    def _move(self, referral: Referral, to_state: str, actor: User, days_ago: int, *, reason: str) -> None:
        referral_transition(acting_user=actor, referral=referral, to_state=to_state, reason=reason)
        self._date_last_transition(referral, days_ago)

    def _date_last_transition(self, referral: Referral, days_ago: int) -> None:
        """Date the transition just recorded, and the referral's own submitted/responded time with it."""
        when = self.at(days_ago)
        transition = ReferralTransition.objects.filter(referral=referral).order_by("-pk").first()
        if transition is None:  # pragma: no cover - the service always records one
            return
        _backdate(ReferralTransition, transition.pk, at=when)
        if transition.to_state == S.SUBMITTED:
            _backdate(Referral, referral.pk, submitted_at=when)
        elif transition.to_state in (S.ACCEPTED, S.DECLINED):
            _backdate(Referral, referral.pk, responded_at=when)

    def _disclose(self, referral: Referral, case: Case, convictions: str, days_ago: int) -> None:
        officer = case.lead_officer
        if officer is None:  # pragma: no cover - the pools only hold cases with a lead officer
            raise CommandError(f"Case {case.pk} has no lead officer to approve the disclosure.")
        referral_approve_disclosure(
            acting_user=officer,
            referral=referral,
            convictions=[
                {
                    "offence_category": conviction.offence_category,
                    "sentence_type": conviction.sentence_type.value,
                    "convicted_on": add_months(self.today, -conviction.months_ago),
                    "length_months": conviction.length_months,
                }
                for conviction in CONVICTIONS[convictions]
            ],
            support_contacts=(
                f"{officer.get_full_name()} ({officer.get_role_display()}, {case.team.name}), 01632 960201; "
                f"Gateway to Employment: {self.coordinator.get_full_name()}, 01632 960200."
            ),
        )
        _backdate(Referral, referral.pk, disclosure_approved_at=self.at(days_ago))

    def _event(self, placement: Placement, kind: str, days_ago: int, *, detail: str) -> None:
        employer_user = self.employer_users[placement.opportunity.employer.organisation_id]
        placement_record_event(
            acting_user=employer_user,
            placement=placement,
            kind=kind,
            occurred_on=self.day(days_ago),
            outcome=detail if kind == K.INTERVIEW else "",
            reason=detail if kind == K.ENDED else "",
        )


def _claim_notification_emails(since_pk: int) -> int:
    """Demo notifications stay in the app (the bell) but are not emailed: claiming their email copies before
    commit makes ``send_notification_email`` skip them. The demo addresses are example.org anyway."""
    return Notification.objects.filter(pk__gt=since_pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


@contextmanager
def _quiet_email_tasks() -> Iterator[None]:
    """Without a broker the email tasks run at commit, find their copies claimed and log a line each: keep that
    noise out of the command's output. (With a broker the worker runs them and logs them there.)"""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# --- The command -------------------------------------------------------------------------------------------------


class Command(DemoCommand):
    help = (
        "Add partner services, Gateway to Employment employers (pledges, opportunities, an account each) and "
        "referrals in every state to the demo data of seed_demo, which runs this at its end. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        builder: PartnersBuilder | None = None
        try:
            with _quiet_email_tasks(), transaction.atomic():
                organisations = _ensure_organisations()
                demo = User.objects.filter(username__in=["admin", "coordinator", "partner"])
                users = {user.username: user for user in demo}
                if len(users) < 3:
                    raise CommandError("Run seed_demo first: the demo admin, coordinator and partner are missing.")
                employer_users, accounts_created = _ensure_employer_accounts(organisations)
                users.update(employer_users)
                services, services_created = _ensure_services(admin=users["admin"], organisations=organisations)
                existed = self._already_seeded()
                if not existed:
                    if not demo_people().exists():
                        raise CommandError("Run seed_demo first: there are no demo people to refer.")
                    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
                    builder = PartnersBuilder(
                        users=users, organisations=organisations, services=services, today=timezone.localdate()
                    )
                    builder.build()
                    _claim_notification_emails(last_notification or 0)
        except (ValidationError, PermissionDenied, Http404, ConflictError) as exc:
            where = f" while {builder.step}" if builder and builder.step else ""
            raise CommandError(
                f"Nothing was saved: the partner demo data was refused{where} ({_describe(exc)})."
            ) from exc
        if options["verbosity"] >= 1:
            self._summarise(
                existed=existed,
                accounts_created=accounts_created,
                services_created=services_created,
                seconds=time.monotonic() - started,
            )

    @staticmethod
    def _already_seeded() -> bool:
        return (
            Employer.objects.filter(organisation__name__in=EMPLOYER_NAMES).exists()
            and Referral.objects.filter(case__person__in=demo_people()).exists()
        )

    def _summarise(
        self, *, existed: bool, accounts_created: list[str], services_created: list[str], seconds: float
    ) -> None:
        write = self.stdout.write
        services = Service.objects.filter(name__in=[spec.name for spec in SERVICES]).select_related("organisation")
        employers = Employer.objects.filter(organisation__name__in=EMPLOYER_NAMES)
        pledges = Counter(Pledge.objects.filter(employer__in=employers).values_list("status", flat=True))
        opportunities = Counter(Opportunity.objects.filter(employer__in=employers).values_list("status", flat=True))
        people = demo_people()
        consents = Consent.objects.filter(person__in=people)
        referrals = Referral.objects.filter(case__person__in=people)
        by_state = dict(referrals.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        placements = Placement.objects.filter(referral__in=referrals)
        stages = placement_stages(placements)
        demo_person_ids = set(people.values_list("pk", flat=True))
        overdue = sum(1 for referral in overdue_referrals() if referral.case.person_id in demo_person_ids)
        figures = gateway_figures()

        if existed:
            write("Partner demo data already exists: only organisations, accounts and services were checked.")
        write(self.style.SUCCESS(f"Partner demo data ready in {seconds:.1f} s."))
        if services_created:
            write(f"  Services created: {', '.join(services_created)}.")
        write(f"  Services {services.count()}: " + "; ".join(f"{s.name} ({s.organisation})" for s in services) + ".")
        write(
            f"  Employers {employers.count()}; pledges {sum(pledges.values())} ({pledges[PledgeStatus.ACTIVE]} active, "
            f"{pledges[PledgeStatus.LAPSED]} lapsed); opportunities {sum(opportunities.values())} "
            f"({opportunities[OpportunityStatus.OPEN]} open, {opportunities[OpportunityStatus.FILLED]} filled, "
            f"{opportunities[OpportunityStatus.CLOSED]} closed)."
        )
        write(f"  Consents {consents.count()} ({consents.filter(withdrawn_on__isnull=False).count()} withdrawn).")
        states = ", ".join(f"{S(state).label.lower()} {by_state.get(state, 0)}" for state in S.values)
        write(f"  Referrals {referrals.count()}: {states}; {overdue} not answered in 10 working days.")
        write(
            f"  Placements {placements.count()}: "
            + ", ".join(f"{stage} {stages[stage]}" for stage in STAGES if stages[stage])
            + "."
        )
        write(
            f"  Gateway figures: employers pledged {figures['employers_pledged']}; employers with a placement "
            f"started {figures['employers_with_placement_started']} of {figures['target']}; placements started "
            f"{figures['placements_started']}; sustained 13 weeks {figures['sustained_13_weeks']}; "
            f"26 weeks {figures['sustained_26_weeks']}."
        )
        if accounts_created:
            write(f"  Employer accounts created (password {DEMO_PASSWORD}): {', '.join(accounts_created)}.")
