"""Students added by hand or imported (e.g. continuing-education participants)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment import locks
from enrollment.models import ApplicantProfile, Cohort, Student, StudentStatusChange
from enrollment.services.decisions import student_create
from enrollment.services.profiles import identity_errors

NAME_COLUMNS = ("surname_latin", "given_names_latin", "surname_ar", "given_names_ar")
FIELDS = (
    "email",
    "surname_latin",
    "given_names_latin",
    "surname_ar",
    "given_names_ar",
    "level",
    "group",
)


@dataclass
class ImportPreview:
    rows: list[dict[str, Any]]
    errors: dict[int, list[str]]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors


def check_rows(*, cohort: Cohort, records: list[dict[str, Any]]) -> ImportPreview:
    """Every row checked; the preview lists all problems at once (line numbers of the file)."""
    rows, errors = [], {}
    seen: set[str] = set()
    enrolled = set(Student.objects.filter(cohort=cohort).values_list("user__email", flat=True))
    for line, record in enumerate(records, start=2):
        row = {name: str(record.get(name) or "").strip() for name in FIELDS}
        row["email"] = row["email"].lower()
        row["level"] = (row["level"] or "M1").upper()
        problems = []
        try:
            validate_email(row["email"])
        except ValidationError:
            problems.append(_("the e-mail address is not valid"))
        if row["email"] in seen:
            problems.append(_("the e-mail address appears twice in the file"))
        if row["email"] in enrolled:
            problems.append(_("already a student of this cohort"))
        # The same rules as the applicant's profile: each name in its own script, at most
        # the length a document prints (enrollment/services/profiles.py).
        wrong = identity_errors({name: row[name] for name in NAME_COLUMNS})
        for name in NAME_COLUMNS:
            if not row[name]:
                problems.append(_("%(column)s is missing") % {"column": name})
            elif name in wrong:
                problems.append(
                    _("%(column)s: %(problem)s") % {"column": name, "problem": wrong[name][0]}
                )
        if row["level"] not in Student.Level.values:
            problems.append(_("the level is M1 or M2"))
        seen.add(row["email"])
        rows.append(row)
        if problems:
            errors[line] = problems
    return ImportPreview(rows, errors)


def students_import(*, cohort: Cohort, actor: User, rows: list[dict[str, Any]]) -> list[Student]:
    """Create the students of checked rows, all or none."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    preview = check_rows(cohort=cohort, records=rows)
    if not preview.valid:
        raise ValidationError(
            [f"{line}: {', '.join(p)}" for line, p in preview.errors.items()]
            or [_("The file has no row.")]
        )
    with transaction.atomic():
        locks.lock_cohort(cohort.pk)
        return [_add(cohort, row) for row in preview.rows]


def student_add(*, cohort: Cohort, actor: User, data: dict[str, Any]) -> Student:
    [student] = students_import(cohort=cohort, actor=actor, rows=[data])
    return student


def _add(cohort: Cohort, row: dict[str, Any]) -> Student:
    user = User.objects.filter(email__iexact=row["email"]).first()
    if user is None:
        user = User(
            email=row["email"], first_name=row["given_names_latin"], last_name=row["surname_latin"]
        )
        user.set_unusable_password()  # the person sets it through "forgot password"
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    profile, _ = ApplicantProfile.objects.get_or_create(user=user)
    for name in ("surname_latin", "given_names_latin", "surname_ar", "given_names_ar"):
        if not getattr(profile, name):
            setattr(profile, name, row[name])
    if profile.consent_at is None:
        profile.consent_at = timezone.now()
    profile.save()
    student = student_create(user=user, cohort=cohort)
    student.level, student.group = row["level"], row["group"][:30]
    student.save(update_fields=["level", "group"])
    return student


#: The longest reason kept for a change of status.
STATUS_REASON_MAX = 1000


def student_set_status(*, student: Student, actor: User, status: str, reason: str) -> Student:
    """Change a student's status and keep who, when, from what, to what and why. The reason
    is required unless the status does not change (then nothing is written)."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if status not in Student.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    reason = reason.strip()
    if len(reason) > STATUS_REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": STATUS_REASON_MAX}}
        )
    with transaction.atomic():
        locked = locks.lock_student(student.pk)
        if locked.status == status:
            return locked
        if not reason:
            raise ValidationError({"reason": _("Say why the status of this student changes.")})
        StudentStatusChange.objects.create(
            student=locked, changed_by=actor, before=locked.status, after=status, reason=reason
        )
        locked.status = status
        locked.save(update_fields=["status"])
    return locked
