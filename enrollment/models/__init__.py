from enrollment.models.admissions import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    DocumentRequirement,
    Intake,
    Interview,
    Offer,
    Review,
)
from enrollment.models.cohorts import Cohort, Counter, Student
from enrollment.models.profiles import ApplicantProfile, Education, Experience
from enrollment.models.studies import (
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
    "ApplicantProfile",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "Cohort",
    "Counter",
    "DocumentRequirement",
    "Education",
    "Experience",
    "Intake",
    "Interview",
    "Jury",
    "JuryEvent",
    "JuryResult",
    "Mark",
    "MarkChange",
    "MarkSheet",
    "Offer",
    "Offering",
    "Review",
    "Session",
    "Student",
]
