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
    "Offer",
    "Review",
    "Student",
    "StudentStatusChange",
]
