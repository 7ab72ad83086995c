"""Every write to the IOM core. Views, the API, commands and tasks call these and nothing else."""

from iom.services.accounts import role_validate, user_password_changed, user_sign_out_everywhere
from iom.services.cases import (
    action_add,
    action_cancel,
    action_complete,
    action_update,
    case_allocate,
    case_open,
    case_set_status,
    case_update,
    note_add,
    pathway_assess,
)
from iom.services.cohorts import cohort_create, membership_adopt, membership_exit
from iom.services.grants import case_grant, case_revoke
from iom.services.notifications import notification_mark_read, notify, notify_each, remind_overdue_actions
from iom.services.people import person_create, person_update
from iom.services.tokens import api_token_issue, api_token_revoke, api_tokens_end
from iom.unset import KEEP

__all__ = [
    "KEEP",
    "action_add",
    "action_cancel",
    "action_complete",
    "action_update",
    "api_token_issue",
    "api_token_revoke",
    "api_tokens_end",
    "case_allocate",
    "case_grant",
    "case_open",
    "case_revoke",
    "case_set_status",
    "case_update",
    "cohort_create",
    "membership_adopt",
    "membership_exit",
    "note_add",
    "notification_mark_read",
    "notify",
    "notify_each",
    "pathway_assess",
    "person_create",
    "person_update",
    "remind_overdue_actions",
    "role_validate",
    "user_password_changed",
    "user_sign_out_everywhere",
]
