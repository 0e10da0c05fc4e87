"""Every table, by what it is about; import models from here (`from storage.models import Participant`)."""

from storage.models.base import Base
from storage.models.broadcast_replies import BroadcastReply
from storage.models.broadcasts import Broadcast, BroadcastStatus
from storage.models.checkins import Checkin, CheckinHelp, CheckinSchedule, CheckinStatus
from storage.models.flags import AlertRules, Flag, FlagOutcome, FlagReason, FlagStatus
from storage.models.notes import Note
from storage.models.outbox import OutboxKind, ScheduledMessage, ScheduledStatus
from storage.models.people import (
    Address,
    Conversation,
    Message,
    MessageStatus,
    Participant,
    ParticipantStatus,
)
from storage.models.processes import SendBudget, StartUpTask
from storage.models.programs import (
    Answers,
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Membership,
    Occurrence,
    Organisation,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.models.relay import RelayDirection, RelayMessage, RelayStatus
from storage.models.staff import (
    AssignmentRule,
    AuditEntry,
    DigestItem,
    Invite,
    InviteKind,
    Partnership,
    PartnershipStatus,
    Referral,
    ReferralStatus,
    Staff,
    StaffRole,
    StaffStatus,
)
from storage.models.webhooks import DeliveryStatus, WebhookDelivery

__all__ = [
    "Address",
    "AlertRules",
    "Answers",
    "Appointment",
    "AssignmentRule",
    "AuditEntry",
    "Base",
    "Broadcast",
    "BroadcastReply",
    "BroadcastStatus",
    "Checkin",
    "CheckinHelp",
    "CheckinSchedule",
    "CheckinStatus",
    "Conversation",
    "DeliveryStatus",
    "DigestItem",
    "Enrolment",
    "EnrolmentStatus",
    "Flag",
    "FlagOutcome",
    "FlagReason",
    "FlagStatus",
    "Invite",
    "InviteKind",
    "Membership",
    "Message",
    "MessageStatus",
    "Note",
    "Occurrence",
    "Organisation",
    "OutboxKind",
    "Participant",
    "ParticipantStatus",
    "Partnership",
    "PartnershipStatus",
    "Program",
    "ProgramSession",
    "Referral",
    "ReferralStatus",
    "RelayDirection",
    "RelayMessage",
    "RelayStatus",
    "ScheduledMessage",
    "ScheduledStatus",
    "SendBudget",
    "SessionStatus",
    "Staff",
    "StaffRole",
    "StaffStatus",
    "StartUpTask",
    "WebhookDelivery",
]
