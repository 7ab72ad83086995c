"""What erasure removes: every free-text field held about a person, model by model (docs/retention.md lists them).

One table serves both the disposal confirmation, which counts what will go, and the erasure itself, which blanks
it, so the page never promises less or more than the service does. Structured facts (dates, codes, states,
counts) stay: the metrics and the Gateway figures are built from them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from iom.models import (
    Action,
    BreakGlassAccess,
    CaseNote,
    CaseUserObjectPermission,
    Membership,
    PathwayAssessment,
    SubjectAccessExport,
)
from outcomes.models import RetentionDecision
from referrals.models import Consent, PlacementEvent, Referral, ReferralTransition, ReferralUpdate

ERASED_TEXT = "(erased)"
"""What a free-text field that held something says after erasure (an empty one stays empty)."""
ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "person"
"""An erased person's name fields: every page and list shows them as "Erased person" without a change of its own."""


@dataclass(frozen=True)
class ErasedText:
    """The rows of one model that hold free text about the person, and which of their fields to blank."""

    label: str
    rows: Callable[[int], QuerySet]
    fields: tuple[str, ...]

    def holding_text(self, person_id: int) -> QuerySet:
        """The rows with something in at least one of the fields: what erasure will change."""
        any_text = Q()
        for field in self.fields:
            any_text |= ~Q(**{field: ""})
        return self.rows(person_id).filter(any_text)


ERASED_TEXTS: tuple[ErasedText, ...] = (
    ErasedText("case notes", lambda pid: CaseNote.objects.filter(case__person_id=pid), ("text",)),
    ErasedText("actions", lambda pid: Action.objects.filter(case__person_id=pid), ("description",)),
    ErasedText("pathway assessments", lambda pid: PathwayAssessment.objects.filter(case__person_id=pid), ("notes",)),
    ErasedText(
        "reasons for access to a case",
        lambda pid: CaseUserObjectPermission.objects.filter(content_object__person_id=pid),
        ("reason",),
    ),
    ErasedText("cohort exit reasons", lambda pid: Membership.objects.filter(person_id=pid), ("exit_reason",)),
    ErasedText(
        "consents", lambda pid: Consent.objects.filter(person_id=pid), ("shared_information", "withdrawal_reason")
    ),
    ErasedText(
        "referrals",
        lambda pid: Referral.objects.filter(case__person_id=pid),
        ("reason", "shared_information", "risk_summary", "support_contacts"),
    ),
    ErasedText(
        "referral moves", lambda pid: ReferralTransition.objects.filter(referral__case__person_id=pid), ("reason",)
    ),
    ErasedText("referral updates", lambda pid: ReferralUpdate.objects.filter(referral__case__person_id=pid), ("text",)),
    ErasedText(
        "placement events",
        lambda pid: PlacementEvent.objects.filter(placement__referral__case__person_id=pid),
        ("reason",),
    ),
    ErasedText(
        "accesses outside a team", lambda pid: BreakGlassAccess.objects.filter(person_id=pid), ("reason", "review_note")
    ),
    ErasedText(
        "subject access requests", lambda pid: SubjectAccessExport.objects.filter(person_id=pid), ("reason", "error")
    ),
    ErasedText("retention decisions", lambda pid: RetentionDecision.objects.filter(person_id=pid), ("reason",)),
)
