"""The nightly check of the audit trail's hash chain: a break is recorded in the log and announced to administrators.

The chain itself is iom/audit_chain.py; ``manage.py verify_audit`` runs the same check by hand.
"""

import logging

from django.db import transaction

from iom import audit_chain
from iom.audit import audit_record_rows, audit_values
from iom.models import AuditAction, AuditEvent, Role, User
from iom.services.notifications import notify_each

logger = logging.getLogger(__name__)
CHECK_USERNAME = "verify_audit_chain (nightly task)"
BROKEN_LINK = "/django-admin/iom/auditevent/?action__exact=audit_chain_broken"


def audit_chain_check() -> audit_chain.Verification:
    """Verify the chain; record each break not recorded before and tell every active administrator.

    Idempotent: a break already recorded (an *audit chain broken* row names its row) is logged but neither
    recorded nor announced again, so a second run, or the next night's, adds nothing for it. The chain's end is
    logged every night: a copy kept outside the database is what shows rows cut from the end (docs/deployment.md).
    """
    result = audit_chain.verify()
    logger.info(
        "Audit chain: %d rows checked (%d redacted), %d broken links; ends at row %s, hash %s",
        result.checked,
        result.redacted,
        result.break_count,
        result.head_id,
        result.head_hash,
    )
    if result.ok:
        return result
    recorded = set(
        AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_BROKEN, object_type="auditevent").values_list(
            "object_id", flat=True
        )
    )
    new = [item for item in result.breaks if str(item.event_id) not in recorded]
    for item in result.breaks:
        logger.error("Audit chain broken at row %d (%s): %s", item.event_id, item.kind, item.message)
    if not new:
        return result
    with transaction.atomic():
        # Written after the head, so the record of a break is itself chained after it.
        audit_record_rows(
            [
                audit_values(
                    user=None,
                    username=CHECK_USERNAME,
                    action=AuditAction.AUDIT_CHAIN_BROKEN,
                    object_type="auditevent",
                    object_id=str(item.event_id),
                    details={"kind": str(item.kind), "problem": item.message, "checked": result.checked},
                )
                for item in new
            ]
        )
        first = new[0]
        more = len(new) - 1
        others = (
            f" There {'is' if more == 1 else 'are'} {more} more new break{'s' if more != 1 else ''}." if more else ""
        )
        notify_each(
            users=User.objects.filter(role=Role.ADMINISTRATOR, is_active=True),
            kind="audit_chain_broken",
            title="The audit trail check found a break",
            body=(
                f"{first.message}{others}"
                " Someone may have changed the log outside the service: run manage.py verify_audit and investigate."
            ),
            link=BROKEN_LINK,
            dedupe_key=f"audit_chain_broken:{first.event_id}:{first.kind}",
        )
    return result
