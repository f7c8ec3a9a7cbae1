"""What each kind of document needs: who is eligible (with the reason when not) and the
data printed on it — a snapshot, so the PDF can be rendered again byte for byte."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from certificates import issuer_services
from certificates.models import ENGLISH_KINDS, Edition, Kind
from core.translated import localized
from curriculum.models import Module
from enrollment.models import ApplicantProfile, Cohort, Student
from enrollment.services.profiles import (
    IDENTITY_PRINTED_MAX,
    IdentityProblem,
    identity_problems,
)
from finance.arrears import arrears_blocker
from studies import selectors as record
from studies.models import (
    Attendance,
    FinalResult,
    Jury,
    JuryMember,
    Offering,
    SemesterResult,
    YearResult,
)


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
    with translation.override("fr"):
        return {
            "code": programme.code,
            "title_fr": programme.title_fr,
            "title_ar": programme.title_ar,
            "title_en": programme.title_en,
            "speciality_fr": programme.speciality_fr,
            "speciality_ar": programme.speciality_ar,
            "speciality_en": programme.speciality_en,
            "cohort_fr": localized(cohort, "name", "fr"),
            "cohort_ar": localized(cohort, "name", "ar"),
            "cohort_en": localized(cohort, "name", "en"),
        }


def _issued_by(kind: str) -> dict[str, Any]:
    """Who issues and signs this kind of document now, copied as the snapshot keeps it:
    ``issuer`` and ``signatories`` (in their order; never empty). Raises ValidationError when
    there is no active authority or no signatory (``issuer_services.issuer_problem``)."""
    authority = issuer_services.active_authority()
    signatories = issuer_services.signatories_for(kind, authority=authority) if authority else []
    if authority is None or not signatories:
        problem = issuer_services.issuer_problem(kind) or _(
            "no signatory for this document: add one in the staff space"
        )
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="issuer")
    return {
        "issuer": issuer_services.issuer_data(authority),
        "signatories": [issuer_services.signatory_data(s) for s in signatories],
    }


def identity_reason(problems: list[IdentityProblem]) -> str:
    """The identity problems of a student as the list of who is eligible says them:
    "missing: Arabic surname, birth place (Arabic); Latin surname: Latin letters only"."""
    parts = []
    missing = [p.label for p in problems if p.code == "missing"]
    if missing:
        parts.append(_("missing: %(fields)s") % {"fields": ", ".join(missing)})
    for problem in problems:
        if problem.code == "too_long":
            parts.append(
                _("%(field)s: longer than %(max)d characters, more than the document prints")
                % {"field": problem.label, "max": IDENTITY_PRINTED_MAX}
            )
        elif problem.code == "latin":
            parts.append(_("%(field)s: Latin letters only") % {"field": problem.label})
        elif problem.code == "arabic":
            parts.append(_("%(field)s: Arabic letters only") % {"field": problem.label})
    return "; ".join(parts)


def edition_problem(kind: str, edition: str) -> str:
    """Why this edition of the document cannot be issued, in words; "" when it can."""
    if edition not in Edition.values:
        return _("unknown language of the document")
    if edition == Edition.EN and kind not in ENGLISH_KINDS:
        return _("this document has no English edition")
    return ""


def eligibility(
    kind: str, student: Student, *, semester: int | None = None, module: Module | None = None
) -> Eligibility:
    """Whether the records allow this document for this student, and why not."""
    return eligibilities(kind, [student], semester=semester, module=module)[0]


def eligibilities(
    kind: str,
    students: list[Student],
    *,
    semester: int | None = None,
    module: Module | None = None,
) -> list[Eligibility]:
    """The verdicts of many students at once, read from the stored academic record in a
    number of queries that does not grow with the students. Nobody is eligible while the
    document has no issuer or no signatory; a student whose identity cannot be printed in
    full (academic-rules.md §3) is not, with what is missing or wrong in words."""
    if kind not in PER_STUDENT_KINDS:
        return [
            Eligibility(student, False, _("this document is not issued per student here"))
            for student in students
        ]
    problem = issuer_services.issuer_problem(kind)
    if problem:
        return [Eligibility(student, False, problem) for student in students]
    verdicts = _record_eligibilities(kind, students, semester=semester, module=module)
    profiles = _profiles(students)
    result = []
    for verdict in verdicts:
        problems = identity_problems(profiles.get(verdict.student.user_id))
        if not problems:
            result.append(verdict)
            continue
        reasons = [r for r in (verdict.reason, identity_reason(problems)) if r]
        result.append(Eligibility(verdict.student, False, "; ".join(reasons)))
    return _apply_blockers(kind, result)


def _apply_blockers(kind: str, verdicts: list[Eligibility]) -> list[Eligibility]:
    """The documents withheld for fees in arrears (finance's rule, a programme setting, off
    by default; architecture: ``certificates → finance``, never the other way)."""
    return _withhold(verdicts, arrears_blocker(kind, [v.student for v in verdicts]))


def _withhold(verdicts: list[Eligibility], withheld: dict[int, str]) -> list[Eligibility]:
    if not withheld:
        return verdicts
    result = []
    for verdict in verdicts:
        reason = withheld.get(verdict.student.pk)
        if reason:
            own = [verdict.reason] if verdict.reason else []
            verdict = Eligibility(verdict.student, False, "; ".join([*own, reason]))
        result.append(verdict)
    return result


def _profiles(students: list[Student]) -> dict[int, ApplicantProfile]:
    """The students' profiles by user: those read with the students (``select_related(
    "user__applicant_profile")``), else in one query."""
    accessor = User.applicant_profile
    if all(Student.user.is_cached(s) and accessor.is_cached(s.user) for s in students):
        return {
            s.user_id: s.user.applicant_profile
            for s in students
            if getattr(s.user, "applicant_profile", None) is not None
        }
    return {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user__in=[s.user_id for s in students])
    }


#: The documents issued to one student each.
PER_STUDENT_KINDS = (Kind.ENROLLMENT, Kind.TRANSCRIPT, Kind.CUMULATIVE, Kind.SUCCESS, Kind.MODULE)


def _record_eligibilities(
    kind: str,
    students: list[Student],
    *,
    semester: int | None = None,
    module: Module | None = None,
) -> list[Eligibility]:
    """What the student record and the academic record say of each student."""
    if kind == Kind.ENROLLMENT:
        return [
            Eligibility(student, True)
            if student.status == Student.Status.ACTIVE
            else Eligibility(
                student,
                False,
                _("not an active student (%(status)s)") % {"status": student.get_status_display()},
            )
            for student in students
        ]
    if kind == Kind.MODULE:
        return [_module_eligibility(student, module) for student in students]
    if kind == Kind.TRANSCRIPT and semester is None:
        return [Eligibility(student, False, _("choose a semester")) for student in students]
    published = record.published_semesters(students=students, detail=False)
    finals = record.published_finals(students=students) if kind == Kind.SUCCESS else {}
    verdicts = []
    for student in students:
        own = published.get(student.pk, {})
        if kind == Kind.TRANSCRIPT:
            verdicts.append(
                Eligibility(student, True)
                if semester in own
                else Eligibility(
                    student, False, _("no published jury for semester %(n)s") % {"n": semester}
                )
            )
            continue
        programme = student.cohort.programme
        missing = [n for n in range(1, programme.semester_count + 1) if n not in own]
        if missing:
            verdicts.append(
                Eligibility(
                    student,
                    False,
                    _("no published jury for semester(s) %(list)s")
                    % {"list": ", ".join(map(str, missing))},
                )
            )
        elif kind == Kind.SUCCESS and student.pk not in finals:
            verdicts.append(
                Eligibility(
                    student,
                    False,
                    _("%(credits)s credits of %(total)s, no published final result")
                    % {"credits": record.credits_held(own), "total": programme.total_credits},
                )
            )
        else:
            verdicts.append(Eligibility(student, True))
    return verdicts


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
            "from": _day(first.starts_at) if first else "",
            "to": _day(last.ends_at) if last else "",
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
    """The module's result as a published jury recorded it, or None when it has none."""
    result = (
        record.published_semesters(students=[student]).get(student.pk, {}).get(offering.semester)
    )
    stored = (
        next((m for m in result.modules.all() if m.module_id == offering.module_id), None)
        if result
        else None
    )
    if result is None or stored is None or stored.mark is None:
        return None
    return {
        "mark": str(stored.mark),
        "validated": bool(stored.acquired_by),
        "acquired_by": stored.acquired_by,
        "session": stored.session,
        "credits": stored.credits,
        # The semester's row it was read from: a later decision makes the document stale.
        "record": [result.pk, result.jury_id, result.version],
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


def snapshot(
    kind: str,
    student: Student,
    *,
    semester: int | None = None,
    module: Module | None = None,
    edition: str = Edition.FR,
) -> dict[str, Any]:
    return snapshots(kind, [student], semester=semester, module=module, edition=edition)[0]


def snapshots(
    kind: str,
    students: list[Student],
    *,
    semester: int | None = None,
    module: Module | None = None,
    edition: str = Edition.FR,
) -> list[dict[str, Any]]:
    """The snapshots of many students at once: profiles and the record in a few queries,
    each cohort once; the issuer and the signatories as they are now, copied into each.
    Raises ValidationError when the document has no issuer or no signatory, or no such
    edition."""
    problem = edition_problem(kind, edition)
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="edition")
    issued_by = _issued_by(kind)
    profiles = {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user__in=[s.user_id for s in students])
    }
    reads_record = kind in (Kind.TRANSCRIPT, Kind.CUMULATIVE, Kind.SUCCESS)
    published = record.published_semesters(students=students) if reads_record else {}
    years = record.published_years(students=students) if reads_record else {}
    finals = record.published_finals(students=students) if reads_record else {}
    programmes: dict[int, dict[str, Any]] = {}
    result = []
    for student in students:
        if student.cohort_id not in programmes:
            programmes[student.cohort_id] = _programme(student.cohort)
        data = _snapshot(
            kind,
            student,
            profiles.get(student.user_id),
            programmes[student.cohort_id],
            semester,
            module,
        )
        data.update(copy.deepcopy(issued_by), edition=str(edition))
        if reads_record:
            data.update(
                _record_data(
                    kind,
                    semester,
                    published.get(student.pk, {}),
                    years.get(student.pk, {}),
                    finals.get(student.pk),
                )
            )
        result.append(data)
    return result


def _day(moment: Any) -> str:
    """The day of a moment in Algiers (a jury closed at 00:30 closed that day, not the day
    before as in UTC)."""
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _semester_data(result: SemesterResult, *, detail: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": result.semester,
        "average": str(result.average),
        "credits": result.credits,
        "total_credits": result.total_credits,
        "decision": result.decision,
        "acquired_by": result.acquired_by,
        "session": result.session,
        "deliberated_on": _day(result.jury.closed_at),
        "record": [result.pk, result.jury_id, result.version],
    }
    if detail:
        modules = list(result.modules.all())
        data["units"] = [
            {
                "code": unit.unit.code,
                "title_fr": unit.unit.title_fr,
                "title_ar": unit.unit.title_ar,
                "title_en": unit.unit.title_en,
                "kind": unit.unit.kind,
                "average": str(unit.average),
                "credits": unit.credits,
                "total_credits": unit.total_credits,
                "acquired_by": unit.acquired_by,
                "modules": [
                    {
                        "code": m.module.code,
                        "title_fr": m.module.title_fr,
                        "title_ar": m.module.title_ar,
                        "title_en": m.module.title_en,
                        "coefficient": m.module.coefficient,
                        "total_credits": m.module.credits,
                        "mark": None if m.mark is None else str(m.mark),
                        "credits": m.credits,
                        "session": m.session,
                        "acquired_by": m.acquired_by,
                    }
                    for m in modules
                    if m.module.unit_id == unit.unit_id
                ],
            }
            for unit in result.units.all()
        ]
    return data


def _record_data(
    kind: str,
    semester: int | None,
    semesters: dict[int, SemesterResult],
    years: dict[int, YearResult],
    final: FinalResult | None,
) -> dict[str, Any]:
    """What a transcript, a cumulative transcript or a success attestation prints of the
    stored academic record, copied as it is (nothing is computed here)."""
    if kind == Kind.TRANSCRIPT:
        assert semester is not None
        return {"semester": _semester_data(semesters[semester], detail=True)}
    data: dict[str, Any] = {
        "semesters": [_semester_data(semesters[n], detail=False) for n in sorted(semesters)],
        "years": [
            {
                "number": y.year,
                "average": str(y.average),
                "credits": y.credits,
                "total_credits": y.total_credits,
                "decision": y.decision,
                "progression": y.progression,
            }
            for n, y in sorted(years.items())
        ],
    }
    if final is not None:
        data["final"] = {
            "average": str(final.average),
            "ranking_average": str(final.ranking_average),
            "mention": final.mention,
            "rank": final.rank,
            "credits": final.credits,
            "total_credits": final.total_credits,
            "deliberated_on": _day(final.jury.closed_at),
            "record": [final.pk, final.jury_id, final.version],
        }
    return data


def academic_year(cohort: Cohort, year: int) -> str:
    """The academic year ("2026-2027") of the ``year``-th year of study (1 for M1, 2 for M2)
    of a cohort: a second-year student's attestation certifies the second year."""
    start = cohort.start_date.year + max(year, 1) - 1
    return f"{start}-{start + 1}"


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
        "academic_year": academic_year(cohort, 2 if student.level == Student.Level.M2 else 1),
        "issued_on": timezone.localdate().isoformat(),
        "place_fr": "Alger",
        "place_ar": "الجزائر",
    }
    if kind == Kind.MODULE:
        offering = offering_for(student, module)
        assert offering is not None
        data.update(_module_data(student, offering))
    return data


#: How the record prints each role of a jury member, in French and in Arabic.
MEMBER_ROLES = {
    JuryMember.Role.PRESIDENT: ("Président du jury", "رئيس اللجنة"),
    JuryMember.Role.MEMBER: ("Membre", "عضو"),
    JuryMember.Role.SECRETARY: ("Secrétaire de séance", "كاتب الجلسة"),
}


def jury_members(jury: Jury) -> list[JuryMember]:
    """The members of a jury as its record lists them: the president first, then the
    members, then the secretary, each in their order."""
    rank: dict[str, int] = {
        JuryMember.Role.PRESIDENT: 0,
        JuryMember.Role.MEMBER: 1,
        JuryMember.Role.SECRETARY: 2,
    }
    return sorted(jury.members.all(), key=lambda m: (rank.get(m.role, 1), m.order, m.pk))


def jury_record_problem(jury: Jury) -> str:
    """Why the record (PV) of this jury cannot be drawn up now, in words; "" when it can."""
    problem = issuer_services.issuer_problem(Kind.JURY_RECORD)
    if problem:
        return problem
    if not any(m.role == JuryMember.Role.PRESIDENT for m in jury.members.all()):
        return _("the jury has no president: add its members on the jury's page")
    return ""


def jury_record_snapshot(jury: Jury) -> dict[str, Any]:
    """The record of a deliberation (PV): the jury and its members (the president first),
    and every student's result as decided. Raises ValidationError when the record cannot be
    drawn up (``jury_record_problem``)."""
    problem = jury_record_problem(jury)
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="jury")
    cohort = jury.cohort
    results: list[YearResult] | list[SemesterResult]
    if jury.year is not None:
        results = list(
            YearResult.objects.filter(jury=jury, version=jury.version)
            .select_related("student")
            .order_by("student__registration_number")
        )
    else:
        results = list(
            SemesterResult.objects.filter(jury=jury, version=jury.version)
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
                "total_credits": result.total_credits,
                "decision": result.decision,
            }
        )
        decisions[result.decision] = decisions.get(result.decision, 0) + 1
    return {
        "kind": Kind.JURY_RECORD.value,
        "edition": Edition.FR.value,
        "programme": _programme(cohort),
        **_issued_by(Kind.JURY_RECORD),
        "academic_year": academic_year(cohort, jury.year or ((jury.semester or 1) + 1) // 2),
        "jury": {
            "semester": jury.semester,
            "year": jury.year,
            "session": jury.session,
            "version": jury.version,
            "closed_on": _day(jury.closed_at),
            "published_on": _day(jury.published_at),
            "members": [
                {
                    "name": member.name,
                    "role": member.role,
                    "role_fr": MEMBER_ROLES[JuryMember.Role(member.role)][0],
                    "role_ar": MEMBER_ROLES[JuryMember.Role(member.role)][1],
                }
                for member in jury_members(jury)
            ],
        },
        "rows": rows,
        "decisions": dict(sorted(decisions.items())),
        "issued_on": timezone.localdate().isoformat(),
        "place_fr": "Alger",
        "place_ar": "الجزائر",
    }
