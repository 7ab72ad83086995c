"""Models of the IOM core, one module per concern; import them from here."""

from iom.models.accounts import Organisation, Scheme, Team, User
from iom.models.audit import AppendOnlyError, AuditAction, AuditEvent, AuditOutcome
from iom.models.cases import (
    Action,
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseUserObjectPermission,
    PathwayAssessment,
)
from iom.models.choices import (
    ActionStatus,
    CaseStatus,
    District,
    Ethnicity,
    Gender,
    NeedLevel,
    NoteType,
    OffenceCategory,
    OrganisationType,
    Pathway,
    Rag,
    RiskOfSeriousHarm,
    Role,
    Sensitivity,
)
from iom.models.cohorts import Cohort, Membership
from iom.models.lifecycle import AccessChange, AccessChangeStatus, Invitation
from iom.models.notifications import Notification
from iom.models.outbox import OutboxMessage
from iom.models.people import Flag, Person
from iom.models.records import (
    BreakGlassAccess,
    BreakGlassReview,
    SubjectAccessExport,
    SubjectAccessStatus,
)

__all__ = [
    "AccessChange",
    "AccessChangeStatus",
    "Action",
    "ActionStatus",
    "AppendOnlyError",
    "AuditAction",
    "AuditEvent",
    "AuditOutcome",
    "BreakGlassAccess",
    "BreakGlassReview",
    "Case",
    "CaseGroupObjectPermission",
    "CaseNote",
    "CaseStatus",
    "CaseUserObjectPermission",
    "Cohort",
    "District",
    "Ethnicity",
    "Flag",
    "Gender",
    "Invitation",
    "Membership",
    "NeedLevel",
    "NoteType",
    "Notification",
    "OffenceCategory",
    "Organisation",
    "OrganisationType",
    "OutboxMessage",
    "Pathway",
    "PathwayAssessment",
    "Person",
    "Rag",
    "RiskOfSeriousHarm",
    "Role",
    "Scheme",
    "Sensitivity",
    "SubjectAccessExport",
    "SubjectAccessStatus",
    "Team",
    "User",
]
