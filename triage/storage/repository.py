"""The one place the app's code calls to read and write its records: every function of the storage
modules, by domain, under one name (`from triage.storage import repository`). Every database failure
becomes StorageUnavailable.

- assessments.py: assessments and call-back requests, purged after the retention period
- queue.py: the reception queue, what staff do to a record, the dashboard's figures
- outbox.py: the alert outbox
- accounts.py: staff accounts, their sessions and second factor
- api_keys.py, audit.py: API keys; the audit trail
- questionnaires.py: the FHIR Questionnaire of each rules version records were saved under
- database.py: the SQLite connection's settings, transactions, StorageUnavailable
"""

from __future__ import annotations

from triage.storage.accounts import (
    CodeAttempt,
    code_was_right,
    create_user,
    end_session_version,
    end_sessions,
    enrol_mfa,
    find_user,
    get_user,
    locked_users,
    reset_mfa,
    spend_recovery_code,
    spend_totp_step,
    take_code_attempt,
    unlock,
    update_user,
    users,
)
from triage.storage.api_keys import ActiveKey, active_api_key, api_keys, create_api_key, revoke_api_key
from triage.storage.assessments import (
    Purged,
    find_assessment,
    purge,
    record_outcome,
    save_assessment,
    save_callback,
    update_assessment,
)
from triage.storage.audit import audit, audit_trail
from triage.storage.database import StorageUnavailable
from triage.storage.outbox import QueuedAlert, alert_failed, alert_sent, claim_alerts, queue_account_alert
from triage.storage.questionnaires import keep_served_questionnaire, served_questionnaire
from triage.storage.queue import (
    Cutoff,
    DashboardRow,
    OverdueBefore,
    QueueFilter,
    QueueNews,
    dashboard_rows,
    newest_arrival,
    overdue_count,
    queue,
    queue_news,
    record_call,
    set_override,
    set_status,
)

__all__ = [
    "ActiveKey",
    "CodeAttempt",
    "Cutoff",
    "DashboardRow",
    "OverdueBefore",
    "Purged",
    "QueueFilter",
    "QueueNews",
    "QueuedAlert",
    "StorageUnavailable",
    "active_api_key",
    "alert_failed",
    "alert_sent",
    "api_keys",
    "audit",
    "audit_trail",
    "claim_alerts",
    "code_was_right",
    "create_api_key",
    "create_user",
    "dashboard_rows",
    "end_session_version",
    "end_sessions",
    "enrol_mfa",
    "find_assessment",
    "find_user",
    "get_user",
    "keep_served_questionnaire",
    "locked_users",
    "newest_arrival",
    "overdue_count",
    "purge",
    "queue",
    "queue_account_alert",
    "queue_news",
    "record_call",
    "record_outcome",
    "reset_mfa",
    "revoke_api_key",
    "save_assessment",
    "save_callback",
    "served_questionnaire",
    "set_override",
    "set_status",
    "spend_recovery_code",
    "spend_totp_step",
    "take_code_attempt",
    "unlock",
    "update_assessment",
    "update_user",
    "users",
]
