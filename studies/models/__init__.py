from studies.models.appeals import Appeal, ConsultationWindow
from studies.models.internships import Defence, DefenceMember, Internship
from studies.models.juries_members import JuryMember
from studies.models.record import (
    AcquiredBy,
    FinalResult,
    ModuleResult,
    SemesterResult,
    UnitResult,
    YearResult,
)
from studies.models.teaching import (
    Attendance,
    CalendarFeed,
    ClassSession,
    Jury,
    JuryEvent,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    Session,
)

__all__ = [
    "AcquiredBy",
    "Appeal",
    "Attendance",
    "CalendarFeed",
    "ClassSession",
    "ConsultationWindow",
    "Defence",
    "DefenceMember",
    "FinalResult",
    "Internship",
    "Jury",
    "JuryEvent",
    "JuryMember",
    "Mark",
    "MarkChange",
    "MarkSheet",
    "ModuleResult",
    "Offering",
    "SemesterResult",
    "Session",
    "UnitResult",
    "YearResult",
]
