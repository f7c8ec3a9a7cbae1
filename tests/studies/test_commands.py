"""The studies commands — ``marks_import``, ``jury``, ``academic_record`` — and
``seed_demo --students N --cohort SLUG`` opening the cohort's four semesters: each success,
each refusal with its message (a ``CommandError``, exit status 1, no traceback) and nothing
stored when refused."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from accounts.models import User
from curriculum.demo import seed_curriculum
from enrollment.models import Cohort
from partners.demo import seed_partners
from studies.models import (
    Jury,
    JuryEvent,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    SemesterResult,
    Session,
    YearResult,
)
from studies.selectors import academic_record
from studies.services.marks import MarkRow, grid_save, grid_submit, offerings_open
from tests.factories.spreadsheets import xlsx_bytes
from tests.helpers import ROOT, database_url
from tests.studies.studies_helpers import EXAMPLE_C, EXAMPLE_D, fill, make_setting, sheet

pytestmark = pytest.mark.django_db

HEADER = "registration_number,name,cc,exam,absence,excluded,mark"


def run(name: str, *args: str, **options: Any) -> str:
    """The command's output, in English."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue()


def refused(name: str, *args: str, **options: Any) -> str:
    """The message of the command's refusal, in English."""
    with pytest.raises(CommandError) as caught:
        run(name, *args, **options)
    return str(caught.value)


def grid_file(tmp_path: Path, lines: list[str], name: str = "grid.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def good_lines(setting: dict[str, Any], cc: str = "12", exam: str = "14") -> list[str]:
    return [f"{s.registration_number},Someone,{cc},{exam},,,99" for s in setting["students"]]


def nothing_stored() -> bool:
    return not Mark.objects.exists() and not MarkChange.objects.exists()


def fill_semester(setting: dict[str, Any], semester: int, mark: str = "12") -> None:
    """Every first-session grid of a semester filled with one mark and submitted."""
    coordinator = setting["coordinator"]
    for grid in MarkSheet.objects.filter(
        offering__cohort=setting["cohort"], offering__semester=semester, session=Session.NORMAL
    ):
        rows = [MarkRow(s.pk, Decimal(mark), Decimal(mark)) for s in setting["students"]]
        grid_save(sheet=grid, actor=coordinator, rows=rows)
        grid_submit(sheet=grid, actor=coordinator)


# --- marks_import -------------------------------------------------------------------------------
def test_a_csv_grid_is_imported_with_the_grid_columns_and_the_others_ignored(setting, tmp_path):
    out = run(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.1",
    )
    assert out.strip() == "3 marks saved"
    grid = sheet("F1.1.1")
    assert grid.status == MarkSheet.Status.OPEN
    marks = Mark.objects.filter(sheet=grid)
    assert [m.cc for m in marks] == [Decimal("12.00")] * 3
    assert {m.mark for m in marks} != {Decimal("99")}  # the file's "mark" column is not read
    # The actor is the first active coordinator.
    assert {m.updated_by for m in marks} == {setting["coordinator"]}
    # Importing the same file again changes nothing.
    again = run(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.1",
    )
    assert again.strip() == "0 marks saved"


def test_submit_submits_the_grid_after_saving(setting, tmp_path):
    out = run(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        "--submit",
        cohort="promo-test",
        module="F1.1.1",
        actor=setting["lecturer"].email,
    )
    assert out.splitlines() == ["3 marks saved", "grid submitted"]
    grid = sheet("F1.1.1")
    assert grid.status == MarkSheet.Status.SUBMITTED
    assert grid.submitted_by == setting["lecturer"]


def test_an_xlsx_grid_and_a_french_excel_csv_are_imported(setting, tmp_path):
    students = setting["students"]
    path = tmp_path / "grid.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["registration_number", "cc", "exam", "absence", "excluded"],
                *[[s.registration_number, 12.5, 14, "", ""] for s in students],
            ]
        )
    )
    assert run("marks_import", str(path), cohort="promo-test", module="F1.1.1").strip() == (
        "3 marks saved"
    )
    french = tmp_path / "french.csv"
    french.write_bytes(
        (
            "registration_number;cc;exam;absence;excluded\n"
            + "".join(f"{s.registration_number};13,5;12;;\n" for s in students)
        ).encode("cp1252")
    )
    assert run("marks_import", str(french), cohort="promo-test", module="F1.1.2").strip() == (
        "3 marks saved"
    )
    assert {m.cc for m in Mark.objects.filter(sheet=sheet("F1.1.2"))} == {Decimal("13.50")}


def test_the_default_actor_is_the_first_active_coordinator(setting, tmp_path, make_user):
    User.objects.filter(pk=setting["coordinator"].pk).update(is_active=False)
    later = make_user("coordinator")
    run(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.1",
    )
    assert {m.updated_by for m in Mark.objects.all()} == {later}


def test_without_an_active_coordinator_the_actor_must_be_named(setting, tmp_path):
    User.objects.filter(is_coordinator=True).update(is_active=False)
    message = refused(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.1",
    )
    assert "--actor" in message
    assert nothing_stored()


def test_bad_rows_are_listed_one_a_line_and_nothing_is_stored(setting, tmp_path):
    a, b, c = setting["students"]
    lines = [
        f"{a.registration_number},A,12,14,,,",
        f"{b.registration_number},B,21,14,,,",  # line 3: out of range
        f"{c.registration_number},C,12,-1,,,",  # line 4: out of range
        "MCRT-0000-9999,Nobody,12,14,,,",  # line 5: not on the grid
        f"{a.registration_number},A again,12,14,,,",  # line 6: twice
        f"{c.registration_number},C,12.345,14,XYZ,,",  # line 7: twice as well
    ]
    message = refused(
        "marks_import", grid_file(tmp_path, lines), cohort="promo-test", module="F1.1.1"
    )
    first, *rest = message.splitlines()
    assert first == "Nothing was saved: 5 problems."
    assert rest == [
        "Line 3: A mark is between 0 and 20.",
        "Line 4: A mark is between 0 and 20.",
        "Line 5: MCRT-0000-9999 is not on this grid.",
        f"Line 6: {a.registration_number} appears twice.",
        f"Line 7: {c.registration_number} appears twice.",
    ]
    assert nothing_stored()


def test_a_bad_mark_on_a_valid_row_refuses_the_whole_file(setting, tmp_path):
    lines = good_lines(setting)
    lines[2] = lines[2].replace(",12,", ",douze,")
    message = refused(
        "marks_import", grid_file(tmp_path, lines), cohort="promo-test", module="F1.1.1"
    )
    assert message.splitlines()[1:] == ["Line 4: “douze” is not a mark."]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.csv", b"Dear colleague,\nhere are the marks you asked for.\n", "first line"),
        ("random.csv", bytes(range(256)) * 8, "not a text (CSV) file"),
        ("empty.csv", b"", "empty"),
        ("marks.xlsx", b"PK\x03\x04 this is no workbook", "not a readable Excel workbook"),
        ("marks.xlsx", b"registration_number,cc,exam\n", "not a readable Excel workbook"),
        ("marks.csv", b"matricule,cc,examen\nX,1,2\n", "registration_number, exam"),
        ("header.csv", b"registration_number,cc,exam\n", "no row under its header"),
    ],
)
def test_a_file_that_is_not_a_grid_is_refused_with_a_message(
    setting, tmp_path, name, content, words
):
    path = tmp_path / name
    path.write_bytes(content)
    message = refused("marks_import", str(path), cohort="promo-test", module="F1.1.1")
    assert words in message, message
    assert message.startswith(str(path))
    assert nothing_stored()


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"cohort": "nope", "module": "F1.1.1"}, "No cohort has the short name nope."),
        (
            {"cohort": "promo-test", "module": "Z9.9.9"},
            "The programme of cohort promo-test has no module Z9.9.9.",
        ),
        (
            {"cohort": "promo-test", "module": "F2.1.1"},
            "Module F2.1.1 is not delivered to cohort promo-test yet",
        ),
        (
            {"cohort": "promo-test", "module": "F1.1.1", "session": "resit"},
            "Module F1.1.1 of cohort promo-test has no resit grid",
        ),
        (
            {"cohort": "promo-test", "module": "F1.1.1", "actor": "nobody@example.dz"},
            "No account has the e-mail address nobody@example.dz.",
        ),
    ],
)
def test_an_unknown_cohort_module_grid_or_actor_is_refused(setting, tmp_path, options, words):
    message = refused("marks_import", grid_file(tmp_path, good_lines(setting)), **options)
    assert words in message, message
    assert nothing_stored()


def test_a_missing_file_and_a_folder_are_refused(setting, tmp_path):
    missing = tmp_path / "missing.csv"
    assert "no such file" in refused(
        "marks_import", str(missing), cohort="promo-test", module="F1.1.1"
    )
    assert "is not a file" in refused(
        "marks_import", str(tmp_path), cohort="promo-test", module="F1.1.1"
    )


def test_an_unknown_session_is_refused_by_the_options(setting, tmp_path):
    message = refused(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.1",
        session="second",
    )
    assert message == "--session is normal or resit, not second."


def test_a_lecturer_of_another_module_may_not_import_its_marks(setting, tmp_path):
    message = refused(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        cohort="promo-test",
        module="F1.1.2",
        actor=setting["lecturer"].email,
    )
    assert message == f"{setting['lecturer'].email} may not change the marks of F1.1.2."
    assert nothing_stored()


def test_a_grid_that_cannot_be_submitted_keeps_none_of_the_marks(setting, tmp_path):
    lines = good_lines(setting)[:2]  # the third student has no mark
    message = refused(
        "marks_import",
        grid_file(tmp_path, lines),
        "--submit",
        cohort="promo-test",
        module="F1.1.1",
    )
    assert message.splitlines() == [
        "Nothing was saved: 1 problem.",
        "1 student(s) have no mark and no absence yet.",
    ]
    assert nothing_stored()
    assert sheet("F1.1.1").status == MarkSheet.Status.OPEN


def test_a_submitted_grid_is_not_changed_without_a_reason(setting, tmp_path):
    run(
        "marks_import",
        grid_file(tmp_path, good_lines(setting)),
        "--submit",
        cohort="promo-test",
        module="F1.1.1",
    )
    before = list(Mark.objects.values_list("pk", "cc", "exam"))
    message = refused(
        "marks_import",
        grid_file(tmp_path, good_lines(setting, cc="15")),
        cohort="promo-test",
        module="F1.1.1",
    )
    assert "Say why a submitted mark is changed." in message
    assert list(Mark.objects.values_list("pk", "cc", "exam")) == before


def test_a_resit_grid_is_imported_with_session_resit(setting, tmp_path):
    fill(setting, [EXAMPLE_C, EXAMPLE_D, EXAMPLE_C])
    run("jury", "close", cohort="promo-test", semester=1, actor=setting["coordinator"].email)
    resit = MarkSheet.objects.filter(session=Session.RESIT).select_related("offering__module")
    assert resit.exists()
    grid = resit.order_by("offering__module__code").first()
    assert grid is not None
    student = setting["students"][1]  # example D, sent to the resit
    path = grid_file(tmp_path, [f"{student.registration_number},D,12,13,,,"])
    out = run(
        "marks_import",
        path,
        cohort="promo-test",
        module=grid.offering.module.code,
        session="resit",
    )
    assert out.strip() == "1 mark saved"
    assert Mark.objects.get(sheet=grid, student=student).exam == Decimal("13.00")


# --- jury ---------------------------------------------------------------------------------------
def coordinator_email(setting: dict[str, Any]) -> str:
    return str(setting["coordinator"].email)


def test_a_semester_jury_is_closed_published_and_reopened(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    email = coordinator_email(setting)
    out = run("jury", "close", cohort="promo-test", semester=1, actor=email)
    assert out.strip() == "jury of semester 1 (normal) closed: 3 results recorded"
    jury = Jury.objects.get(semester=1, session=Session.NORMAL)
    assert jury.status == Jury.Status.CLOSED
    assert SemesterResult.objects.filter(jury=jury, current=True).count() == 3
    assert set(MarkSheet.objects.values_list("status", flat=True)) == {MarkSheet.Status.LOCKED}

    out = run("jury", "publish", cohort="promo-test", semester=1, actor=email)
    assert out.strip().startswith("jury of semester 1 (normal) published")
    jury.refresh_from_db()
    assert jury.status == Jury.Status.PUBLISHED

    message = refused("jury", "reopen", cohort="promo-test", semester=1, actor=email)
    assert message == "Say why the jury is reopened."
    jury.refresh_from_db()
    assert jury.status == Jury.Status.PUBLISHED

    out = run(
        "jury", "reopen", cohort="promo-test", semester=1, actor=email, reason="A typing error"
    )
    assert out.strip().startswith("jury of semester 1 (normal) reopened")
    jury.refresh_from_db()
    assert jury.status == Jury.Status.REOPENED
    assert list(JuryEvent.objects.filter(jury=jury).values_list("action", "reason")) == [
        ("closed", ""),
        ("published", ""),
        ("reopened", "A typing error"),
    ]
    out = run("jury", "close", cohort="promo-test", semester=1, actor=email)
    assert out.strip() == "jury of semester 1 (normal) closed: 3 results recorded"
    jury.refresh_from_db()
    assert jury.version == 2
    assert SemesterResult.objects.filter(current=True).count() == 3
    assert SemesterResult.objects.count() == 6  # the first version is kept


def test_a_jury_already_closed_is_not_closed_again(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    email = coordinator_email(setting)
    run("jury", "close", cohort="promo-test", semester=1, actor=email)
    message = refused("jury", "close", cohort="promo-test", semester=1, actor=email)
    assert message.startswith("This jury is already closed.")
    assert Jury.objects.get(semester=1).version == 1


def test_the_problems_the_service_lists_are_printed_one_a_line(setting):
    message = refused(
        "jury", "close", cohort="promo-test", semester=1, actor=coordinator_email(setting)
    )
    lines = message.splitlines()
    assert "Grid of F1.1.1 not submitted." in lines
    assert len([line for line in lines if "Missing marks" in line]) == 3
    # Nothing stays behind, not even the jury row looked up for the action.
    assert not Jury.objects.exists()
    assert not SemesterResult.objects.exists()


def test_a_jury_is_acted_on_by_a_coordinator_only(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    lecturer = setting["lecturer"].email
    message = refused("jury", "close", cohort="promo-test", semester=1, actor=lecturer)
    assert message == (
        f"{lecturer} is not a coordinator: only a coordinator may close, publish or reopen a jury."
    )
    assert not Jury.objects.exists()


@pytest.mark.parametrize(
    ("args", "options", "words"),
    [
        (("close",), {"cohort": "nope", "semester": 1}, "No cohort has the short name nope."),
        (
            ("close",),
            {"cohort": "promo-test", "semester": 1, "actor": "ghost@example.dz"},
            "No account has the e-mail address ghost@example.dz.",
        ),
        (
            ("close",),
            {"cohort": "promo-test", "semester": 7},
            "The programme has 4 semester(s); there is no semester 7.",
        ),
        (
            ("close",),
            {"cohort": "promo-test", "year": 3},
            "The programme has 2 year(s); there is no year 3.",
        ),
        (
            ("close",),
            {"cohort": "promo-test", "year": 1, "session": "resit"},
            "--session goes with --semester, not with --year.",
        ),
        (("close",), {"cohort": "promo-test"}, "one of the arguments --semester --year"),
        (("close",), {"cohort": "promo-test", "semester": 1, "year": 1}, "not allowed with"),
        (("adjourn",), {"cohort": "promo-test", "semester": 1}, "invalid choice"),
        (
            ("publish",),
            {"cohort": "promo-test", "semester": 1},
            "Only a closed jury can be published.",
        ),
    ],
)
def test_bad_jury_options_are_refused(setting, args, options, words):
    options.setdefault("actor", coordinator_email(setting))
    message = refused("jury", *args, **options)
    assert words in message, message
    assert not Jury.objects.exists()


def test_the_resit_jury_is_named_by_session_resit(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_D, EXAMPLE_C])
    email = coordinator_email(setting)
    run("jury", "close", cohort="promo-test", semester=1, actor=email)
    message = refused(
        "jury", "close", cohort="promo-test", semester=1, session="resit", actor=email
    )
    assert "Grid of" in message  # the resit grids are open, not submitted
    assert not Jury.objects.filter(session=Session.RESIT).exists()


def test_the_annual_deliberation_is_closed_with_year(setting):
    cohort, coordinator = setting["cohort"], setting["coordinator"]
    email = coordinator_email(setting)
    message = refused("jury", "close", cohort="promo-test", year=1, actor=email)
    assert message.splitlines() == [
        "The first-session jury of semester 1 is not closed.",
        "The first-session jury of semester 2 is not closed.",
    ]
    assert not Jury.objects.exists()
    offerings_open(cohort=cohort, semester=2, academic_year="2025-2026", actor=coordinator)
    fill_semester(setting, 1)
    fill_semester(setting, 2)
    run("jury", "close", cohort="promo-test", semester=1, actor=email)
    run("jury", "close", cohort="promo-test", semester=2, actor=email)
    out = run("jury", "close", cohort="promo-test", year=1, actor=email)
    assert out.strip() == "jury of year 1 closed: 3 results recorded"
    assert YearResult.objects.filter(year=1, current=True).count() == 3
    out = run("jury", "publish", cohort="promo-test", year=1, actor=email)
    assert out.strip().startswith("jury of year 1 published")


# --- academic_record ----------------------------------------------------------------------------
def test_the_academic_record_is_printed_as_json_and_as_a_table(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    run("jury", "close", cohort="promo-test", semester=1, actor=coordinator_email(setting))
    student = setting["students"][0]
    printed = run("academic_record", "--json", student=student.registration_number)
    assert json.loads(printed) == academic_record(student=student)
    assert json.loads(printed)["semesters"][0]["number"] == 1
    assert printed == json.dumps(academic_record(student=student), ensure_ascii=False, indent=2) + (
        "\n"
    )

    text = run("academic_record", student=student.registration_number)
    record = academic_record(student=student)
    semester = record["semesters"][0]
    assert student.registration_number in text.splitlines()[0]
    assert "promo-test" in text.splitlines()[0]
    row = next(line for line in text.splitlines() if line.startswith("S1 "))
    assert semester["average"] in row
    assert "Passed by compensation" in row  # example C: 30 credits by compensation
    assert f"Total credits: {record['total_credits']}" in text
    assert "No year deliberated yet." in text
    assert "Final result: not decided yet." in text


def test_a_record_without_any_decision_says_so(setting):
    text = run("academic_record", student=setting["students"][0].registration_number)
    assert "No semester decided by a jury yet." in text
    assert "Total credits: 0" in text


def test_an_unknown_student_is_refused(setting):
    message = refused("academic_record", student="MCRT-0000-0000")
    assert message == "No student has the registration number MCRT-0000-0000."


# --- seed_demo ----------------------------------------------------------------------------------
def test_seed_demo_students_opens_the_cohort_s_four_semesters(tmp_path):
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[])
    out = run("seed_demo", students=5, cohort="x")
    assert "Cohort x: 5 students (5 created)." in out
    offerings = Offering.objects.filter(cohort__slug="x")
    assert set(offerings.values_list("semester", flat=True)) == {1, 2, 3, 4}
    assert offerings.count() == programme.modules.count()
    start = offerings.first().cohort.start_date.year  # type: ignore[union-attr]
    years = dict(offerings.values_list("semester", "academic_year").distinct())
    assert years == {
        1: f"{start}-{start + 1}",
        2: f"{start}-{start + 1}",
        3: f"{start + 1}-{start + 2}",
        4: f"{start + 1}-{start + 2}",
    }
    assert MarkSheet.objects.filter(offering__in=offerings, session=Session.NORMAL).count() == (
        offerings.count()
    )
    coordinator = User.objects.get(email="coordination@demo.tema-wtc.dz")
    assert coordinator.is_coordinator

    # Idempotent: a second run adds nothing.
    counts = (Offering.objects.count(), MarkSheet.objects.count(), User.objects.count())
    out = run("seed_demo", students=5, cohort="x")
    assert "Cohort x: 5 students (0 created)." in out
    assert (Offering.objects.count(), MarkSheet.objects.count(), User.objects.count()) == counts

    # Marks can be imported into any semester now.
    students = list(offerings.first().cohort.students.all())  # type: ignore[union-attr]
    path = tmp_path / "s3.csv"
    path.write_text(
        "registration_number,cc,exam\n"
        + "".join(f"{s.registration_number},12,13\n" for s in students)
    )
    assert run("marks_import", str(path), cohort="x", module="F3.1.1").strip() == ("5 marks saved")


# --- As real processes --------------------------------------------------------------------------
def manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_commands_exit_with_a_status_as_real_processes(make_user, tmp_path):
    setting = make_setting(make_user)
    students = setting["students"]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "registration_number,cc,exam\n"
        f"{students[0].registration_number},12,14\n"
        f"{students[1].registration_number},25,14\n"
        "MCRT-0000-9999,12,14\n"
    )
    failed = manage("marks_import", "--cohort", "promo-test", "--module", "F1.1.1", str(bad))
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert lines[0].startswith("CommandError: ")
    assert len(lines) == 3  # the head line, then one line a bad row
    assert "MCRT-0000-9999" in lines[2]
    assert not Mark.objects.exists()

    text = tmp_path / "notes.csv"
    text.write_text("Just a note, not a grid.\n")
    failed = manage("marks_import", "--cohort", "promo-test", "--module", "F1.1.1", str(text))
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert str(text) in failed.stderr

    good = tmp_path / "good.csv"
    good.write_text(
        "registration_number,cc,exam\n"
        + "".join(f"{s.registration_number},12,14\n" for s in students)
    )
    done = manage(
        "marks_import", "--cohort", "promo-test", "--module", "F1.1.1", "--submit",
        "--actor", setting["lecturer"].email, str(good),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("3 ")
    assert len(done.stdout.splitlines()) == 2  # N marks saved, grid submitted
    assert Mark.objects.count() == 3
    assert sheet("F1.1.1").status == MarkSheet.Status.SUBMITTED

    failed = manage(
        "jury", "--cohort", "promo-test", "--semester", "1", "--actor",
        setting["coordinator"].email, "close",
    )  # fmt: skip
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "F1.1.2" in failed.stderr  # a grid not submitted
    assert not Jury.objects.exists()

    record = manage("academic_record", "--student", students[0].registration_number, "--json")
    assert record.returncode == 0, record.stderr
    assert json.loads(record.stdout)["registration_number"] == students[0].registration_number
    unknown = manage("academic_record", "--student", "MCRT-0000-0000")
    assert unknown.returncode == 1
    assert "MCRT-0000-0000" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_the_demo_marks_a_cohort_whose_semesters_seed_demo_opened():
    """benchmarks/results_day.py: `seed_demo --students N --cohort SLUG`, then `seed_marks`
    marks and publishes its S1 (it did nothing once the semesters were open) and leaves the
    second year unmarked."""
    from studies.demo import seed_marks
    from studies.models import Jury, Mark

    seed_curriculum(organisations=seed_partners(), lecturers=[])
    run("seed_demo", students=3, cohort="y")
    cohort = Cohort.objects.get(slug="y")
    coordinator = User.objects.get(email="coordination@demo.tema-wtc.dz")
    seed_marks(cohort=cohort, coordinator=coordinator)
    jury = Jury.objects.get(cohort=cohort, semester=1, session=Session.NORMAL)
    assert jury.status == Jury.Status.PUBLISHED
    marked = set(
        Mark.objects.filter(sheet__offering__cohort=cohort).values_list(
            "sheet__offering__semester", flat=True
        )
    )
    assert marked == {1, 2}
    count = Mark.objects.count()
    seed_marks(cohort=cohort, coordinator=coordinator)  # once only
    assert Mark.objects.count() == count
