from .audit import AuditChainHead, AuditEntry, AuditOutcome
from .auth import PasswordReset, SecondFactor, SignInThrottle
from .calendar import CalendarDay, CalendarYear, DayKind
from .deadlines import TimeLimitRule, TimeUnit
from .notify import Channel, Notification, NotificationLevel, OutboxMessage, OutboxState
from .numbers import NumberSeries
from .organisation import Section, Staff, StaffQuerySet, Unit, UnitKind
from .records import RecordCopy
from .workitems import (
    URGENCY_PRIORITY,
    DeadlineMarker,
    SweepLevel,
    TrafficLight,
    Urgency,
    WorkAction,
    WorkItem,
    WorkItemEvent,
    WorkItemEventKind,
    WorkKind,
    WorkState,
)

__all__ = [
    "URGENCY_PRIORITY",
    "AuditChainHead",
    "AuditEntry",
    "AuditOutcome",
    "CalendarDay",
    "CalendarYear",
    "Channel",
    "DayKind",
    "DeadlineMarker",
    "Notification",
    "NotificationLevel",
    "NumberSeries",
    "OutboxMessage",
    "OutboxState",
    "PasswordReset",
    "RecordCopy",
    "SecondFactor",
    "Section",
    "SignInThrottle",
    "Staff",
    "StaffQuerySet",
    "SweepLevel",
    "TimeLimitRule",
    "TimeUnit",
    "TrafficLight",
    "Unit",
    "UnitKind",
    "Urgency",
    "WorkAction",
    "WorkItem",
    "WorkItemEvent",
    "WorkItemEventKind",
    "WorkKind",
    "WorkState",
]
