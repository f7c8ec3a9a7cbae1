from studies.models.internships import Defence, DefenceMember, Internship
from studies.models.teaching import (
    Attendance,
    CalendarFeed,
    ClassSession,
    Jury,
    JuryEvent,
    JuryResult,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    Session,
)

__all__ = [
    "Attendance",
    "CalendarFeed",
    "ClassSession",
    "Defence",
    "DefenceMember",
    "Internship",
    "Jury",
    "JuryEvent",
    "JuryResult",
    "Mark",
    "MarkChange",
    "MarkSheet",
    "Offering",
    "Session",
]
