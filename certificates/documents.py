"""What each kind of document needs: who is eligible (with the reason when not) and the
data printed on it — a snapshot, so the PDF can be rendered again byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates.models import Kind
from core.translated import localized
from curriculum.models import Module
from enrollment.models import ApplicantProfile, Cohort, Student
from studies.models import Attendance, Jury, JuryResult, Offering


@dataclass(frozen=True)
class Eligibility:
    student: Student
    ok: bool
    reason: str = ""


def _identity(student: Student, profile: ApplicantProfile | None) -> dict[str, Any]:
    born: dict[str, Any]
    if profile is None:
        return {
            "registration_number": student.registration_number,
            "surname_latin": student.user.last_name,
            "given_names_latin": student.user.first_name,
        }
    if profile.birth_date_presumed or profile.birth_date is None:
        born = {"presumed_year": profile.birth_year}
    else:
        born = {"date": profile.birth_date.isoformat()}
    return {
        "registration_number": student.registration_number,
        "surname_latin": profile.surname_latin,
        "given_names_latin": profile.given_names_latin,
        "surname_ar": profile.surname_ar,
        "given_names_ar": profile.given_names_ar,
        "born": born,
        "birth_place_latin": profile.birth_place_latin,
        "birth_place_ar": profile.birth_place_ar,
        "nationality": profile.get_nationality_display()
        if profile.nationality == "DZ"
        else profile.nationality_other,
    }


def _programme(cohort: Cohort) -> dict[str, Any]:
    programme = cohort.programme
    authority = programme.diploma_authority
    with translation.override("fr"):
        return {
            "code": programme.code,
            "title_fr": programme.title_fr,
            "title_ar": programme.title_ar,
            "speciality_fr": programme.speciality_fr,
            "speciality_ar": programme.speciality_ar,
            "cohort_fr": localized(cohort, "name", "fr"),
            "cohort_ar": localized(cohort, "name", "ar"),
            "issuer_fr": authority.issuer_fr if authority else "TEMA",
            "issuer_ar": authority.issuer_ar if authority else "",
            "signatories": [
                line
                for line in (authority.signatories if authority else "").splitlines()
                if line.strip()
            ],
        }


def eligibility(
    kind: str, student: Student, *, semester: int | None = None, module: Module | None = None
) -> Eligibility:
    """Whether the records allow this document for this student, and why not."""
    if kind == Kind.ENROLLMENT:
        if student.status != Student.Status.ACTIVE:
            return Eligibility(
                student,
                False,
                _("not an active student (%(status)s)") % {"status": student.get_status_display()},
            )
        return Eligibility(student, True)
    if kind == Kind.TRANSCRIPT:
        if semester is None:
            return Eligibility(student, False, _("choose a semester"))
        if not _published(student, semester):
            return Eligibility(
                student, False, _("no published jury for semester %(n)s") % {"n": semester}
            )
        return Eligibility(student, True)
    if kind in (Kind.SUCCESS, Kind.CUMULATIVE):
        count = student.cohort.programme.semester_count
        missing = [n for n in range(1, count + 1) if not _published(student, n)]
        if missing:
            return Eligibility(
                student,
                False,
                _("no published jury for semester(s) %(list)s")
                % {"list": ", ".join(map(str, missing))},
            )
        credits = sum(r.credits for n in range(1, count + 1) if (r := _published(student, n)))
        if kind == Kind.SUCCESS and credits < student.cohort.programme.total_credits:
            return Eligibility(
                student,
                False,
                _("%(credits)s credits of %(total)s")
                % {"credits": credits, "total": student.cohort.programme.total_credits},
            )
        return Eligibility(student, True)
    if kind == Kind.MODULE:
        return _module_eligibility(student, module)
    return Eligibility(student, False, _("this document is not issued per student here"))


def _module_data(student: Student, offering: Offering) -> dict[str, Any]:
    module = offering.module
    weeks = module.unit.semester.weeks
    sessions = offering.class_sessions.order_by("starts_at")
    first, last = sessions.first(), sessions.last()
    partners = list(offering.partners.order_by("name_fr"))
    result = _module_result(student, offering)
    return {
        "academic_year": offering.academic_year,
        "module": {
            "code": module.code,
            "title_fr": module.title_fr,
            "title_ar": module.title_ar,
            "title_en": module.title_en,
            "semester": offering.semester,
            "hours": {
                "lecture": str(module.hours_lecture * weeks),
                "tutorial": str(module.hours_tutorial * weeks),
                "practical": str(module.hours_practical * weeks),
            },
            "from": first.starts_at.date().isoformat() if first else "",
            "to": last.ends_at.date().isoformat() if last else "",
            "credits": module.credits,
        },
        "partners": [
            {"name_fr": p.name_fr, "name_ar": p.name_ar, "logo": p.logo.name or ""}
            for p in partners
        ],
        "result": {"assessed": True, **result}
        if result
        else {"assessed": False, "attendance": attendance_rate(student, offering)},
    }


#: The attendance that earns a participation certificate when a module was not assessed.
PARTICIPATION_THRESHOLD = 80


def offering_for(student: Student, module: Module | None) -> Offering | None:
    if module is None:
        return None
    return (
        Offering.objects.filter(cohort_id=student.cohort_id, module=module)
        .order_by("-academic_year")
        .first()
    )


def attendance_rate(student: Student, offering: Offering) -> int | None:
    """Percentage of the offering's class sessions the student attended (None: none taken)."""
    statuses = list(
        Attendance.objects.filter(student=student, session__offering=offering).values_list(
            "status", flat=True
        )
    )
    if not statuses:
        return None
    present = sum(1 for status in statuses if status == Attendance.Status.PRESENT)
    return int(100 * present / len(statuses))


def _module_result(student: Student, offering: Offering) -> dict[str, Any] | None:
    """The module's mark as a published jury decided it, or None when it has none."""
    result = _published(student, offering.semester)
    module = (result.detail.get("modules", {}) if result else {}).get(offering.module.code)
    if not module or module.get("mark") is None:
        return None
    return {
        "mark": module["mark"],
        "validated": Decimal(module["mark"]) >= 10,
        "credits": module["credits"] if Decimal(module["mark"]) >= 10 else 0,
    }


def _module_eligibility(student: Student, module: Module | None) -> Eligibility:
    offering = offering_for(student, module)
    if offering is None:
        return Eligibility(student, False, _("choose a module taught to this cohort"))
    if _module_result(student, offering) is not None:
        return Eligibility(student, True)
    rate = attendance_rate(student, offering)
    if rate is None:
        return Eligibility(
            student, False, _("no published mark for this module and no attendance taken")
        )
    if rate < PARTICIPATION_THRESHOLD:
        return Eligibility(
            student,
            False,
            _(
                "no published mark for this module and attendance of %(rate)s %% "
                "(%(needed)s %% needed)"
            )
            % {"rate": rate, "needed": PARTICIPATION_THRESHOLD},
        )
    return Eligibility(student, True)


def _published(student: Student, semester: int) -> JuryResult | None:
    """The student's standing published result for a semester (the resit's if any)."""
    return (
        JuryResult.objects.filter(
            student=student, jury__semester=semester, jury__status=Jury.Status.PUBLISHED
        )
        .order_by("-jury__session")
        .first()
    )


def snapshot(
    kind: str, student: Student, *, semester: int | None = None, module: Module | None = None
) -> dict[str, Any]:
    return snapshots(kind, [student], semester=semester, module=module)[0]


def snapshots(
    kind: str,
    students: list[Student],
    *,
    semester: int | None = None,
    module: Module | None = None,
) -> list[dict[str, Any]]:
    """The snapshots of many students at once: profiles in one query, each cohort once."""
    profiles = {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user__in=[s.user_id for s in students])
    }
    programmes: dict[int, dict[str, Any]] = {}
    result = []
    for student in students:
        if student.cohort_id not in programmes:
            programmes[student.cohort_id] = _programme(student.cohort)
        result.append(
            _snapshot(
                kind,
                student,
                profiles.get(student.user_id),
                programmes[student.cohort_id],
                semester,
                module,
            )
        )
    return result


def _snapshot(
    kind: str,
    student: Student,
    profile: ApplicantProfile | None,
    programme_data: dict[str, Any],
    semester: int | None,
    module: Module | None = None,
) -> dict[str, Any]:
    cohort = student.cohort
    data: dict[str, Any] = {
        "kind": kind,
        "holder": _identity(student, profile),
        "programme": programme_data,
        "level": student.level,
        "academic_year": f"{cohort.start_date.year}-{cohort.start_date.year + 1}",
        "issued_on": timezone.localdate().isoformat(),
        "place_fr": "Alger",
        "place_ar": "الجزائر",
    }
    if kind == Kind.MODULE:
        offering = offering_for(student, module)
        assert offering is not None
        data.update(_module_data(student, offering))
    if kind == Kind.TRANSCRIPT and semester is not None:
        result = _published(student, semester)
        assert result is not None
        data["semester"] = {
            "number": semester,
            "average": str(result.average),
            "credits": result.credits,
            "decision": result.decision,
            "session": result.jury.session,
            "deliberated_on": result.jury.closed_at.date().isoformat()
            if result.jury.closed_at
            else "",
            "detail": result.detail,
        }
    if kind in (Kind.CUMULATIVE, Kind.SUCCESS):
        from curriculum import lmd

        programme = cohort.programme
        results = [_published(student, n) for n in range(1, programme.semester_count + 1)]
        data["semesters"] = [
            {
                "number": n,
                "average": str(r.average),
                "credits": r.credits,
                "decision": r.decision,
                "session": r.jury.session,
            }
            for n, r in enumerate(results, start=1)
            if r is not None
        ]
        if all(results):
            final = lmd.final_result(
                semester_averages=[r.average for r in results if r],
                repeats=0,
                debts=0,
                resits=sum(1 for r in results if r and r.decision == lmd.ADMIS_RATT),
                rules=programme.rules(),
            )
            last = max((r.jury.closed_at for r in results if r and r.jury.closed_at), default=None)
            data["final"] = {
                "average": str(final.average),
                "ranking_average": str(final.ranking_average),
                "mention": final.mention or "",
                "credits": sum(r.credits for r in results if r),
                "deliberated_on": last.date().isoformat() if last else "",
            }
    return data


def jury_record_snapshot(jury: Jury) -> dict[str, Any]:
    """The record of a deliberation (PV): the jury, and every student's result as decided."""
    cohort = jury.cohort
    results = list(
        JuryResult.objects.filter(jury=jury)
        .select_related("student")
        .order_by("student__registration_number")
    )
    profiles = {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user__in=[r.student.user_id for r in results])
    }
    rows = []
    decisions: dict[str, int] = {}
    for result in results:
        identity = _identity(result.student, profiles.get(result.student.user_id))
        rows.append(
            {
                "registration_number": identity["registration_number"],
                "surname_latin": identity.get("surname_latin", ""),
                "given_names_latin": identity.get("given_names_latin", ""),
                "surname_ar": identity.get("surname_ar", ""),
                "given_names_ar": identity.get("given_names_ar", ""),
                "average": str(result.average),
                "credits": result.credits,
                "decision": result.decision,
            }
        )
        decisions[result.decision] = decisions.get(result.decision, 0) + 1
    return {
        "kind": Kind.JURY_RECORD.value,
        "programme": _programme(cohort),
        "academic_year": f"{cohort.start_date.year}-{cohort.start_date.year + 1}",
        "jury": {
            "semester": jury.semester,
            "session": jury.session,
            "closed_on": jury.closed_at.date().isoformat() if jury.closed_at else "",
            "published_on": jury.published_at.date().isoformat() if jury.published_at else "",
        },
        "rows": rows,
        "decisions": dict(sorted(decisions.items())),
        "issued_on": timezone.localdate().isoformat(),
        "place_fr": "Alger",
        "place_ar": "الجزائر",
    }
