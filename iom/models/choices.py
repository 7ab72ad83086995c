"""Codes shared by models, imports and the API.

The values are the codes of docs/data-formats.md; changing one
breaks every file and client that uses it.
"""

from django.db import models


class OrganisationType(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    COUNCIL = "council", "Council"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    VICTIM_SUPPORT = "victim_support", "Victim support"
    DWP = "dwp", "DWP"
    OPCC = "opcc", "OPCC"
    EMPLOYER = "employer", "Employer"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    IOM_OFFICER = "iom_officer", "IOM officer"
    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    IOM_MANAGER = "iom_manager", "IOM manager"
    PARTNER_CASEWORKER = "partner_caseworker", "Partner caseworker"
    SCHEME_COORDINATOR = "scheme_coordinator", "Scheme coordinator"
    EMPLOYER = "employer", "Employer"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Ethnicity(models.TextChoices):
    """ONS 2021 census high-level ethnic groups."""

    ASIAN = "asian", "Asian, Asian British or Asian Welsh"
    BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class District(models.TextChoices):
    BRECKLAND = "breckland", "Breckland"
    BROADLAND = "broadland", "Broadland"
    GREAT_YARMOUTH = "great_yarmouth", "Great Yarmouth"
    KINGS_LYNN_WEST_NORFOLK = "kings_lynn_west_norfolk", "King's Lynn and West Norfolk"
    NORTH_NORFOLK = "north_norfolk", "North Norfolk"
    NORWICH = "norwich", "Norwich"
    SOUTH_NORFOLK = "south_norfolk", "South Norfolk"
    OUTSIDE_NORFOLK = "outside_norfolk", "Outside Norfolk"


class RiskOfSeriousHarm(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class Pathway(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    EDUCATION_TRAINING_EMPLOYMENT = "education_training_employment", "Education, training and employment"
    HEALTH = "health", "Health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE_BENEFIT_DEBT = "finance_benefit_debt", "Finance, benefit and debt"
    CHILDREN_FAMILIES = "children_families", "Children and families"
    ATTITUDES_THINKING_BEHAVIOUR = "attitudes_thinking_behaviour", "Attitudes, thinking and behaviour"


class NeedLevel(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class NoteType(models.TextChoices):
    CONTACT = "contact", "Contact"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "Phone"
    PANEL = "panel", "Panel"
    INTELLIGENCE = "intelligence", "Intelligence"
    OTHER = "other", "Other"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "Normal"
    RESTRICTED = "restricted", "Restricted"


class OffenceCategory(models.TextChoices):
    """Offence categories of the offences format; also what an employer is told of a disclosed conviction."""

    HOMICIDE = "homicide", "Homicide"
    VIOLENCE_WITH_INJURY = "violence_with_injury", "Violence with injury"
    VIOLENCE_WITHOUT_INJURY = "violence_without_injury", "Violence without injury"
    RAPE = "rape", "Rape"
    OTHER_SEXUAL = "other_sexual", "Other sexual offences"
    ROBBERY = "robbery", "Robbery"
    DOMESTIC_BURGLARY = "domestic_burglary", "Domestic burglary"
    NON_DOMESTIC_BURGLARY = "non_domestic_burglary", "Non-domestic burglary"
    THEFT_OF_VEHICLE = "theft_of_vehicle", "Theft of a vehicle"
    THEFT_FROM_VEHICLE = "theft_from_vehicle", "Theft from a vehicle"
    THEFT_FROM_PERSON = "theft_from_person", "Theft from the person"
    SHOPLIFTING = "shoplifting", "Shoplifting"
    OTHER_THEFT = "other_theft", "Other theft"
    ARSON = "arson", "Arson"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    DRUGS = "drugs", "Drugs"
    PUBLIC_ORDER = "public_order", "Public order"
    FRAUD = "fraud", "Fraud"
    MOTORING = "motoring", "Motoring"
    BREACH = "breach", "Breach of an order or licence"
    OTHER = "other", "Other"
