from enrollment.models.admissions import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    DocumentRequirement,
    Intake,
    Interview,
    InterviewSlot,
    Offer,
    ReminderSent,
    Review,
)
from enrollment.models.cohorts import Cohort, Counter, Student, StudentStatusChange
from enrollment.models.profiles import ApplicantProfile, Education, Experience

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
    "InterviewSlot",
    "Offer",
    "ReminderSent",
    "Review",
    "Student",
    "StudentStatusChange",
]
