"""A database made by ``seed_demo`` before studies had their own app (commit 58ad0e0) migrates
forward with every row kept: the dump of that database (``fixtures/seed_demo_58ad0e0.sql.gz``,
fixtures/README.md says how it was made) is loaded into a fresh database of the test server,
today's ``manage.py migrate`` runs on it in its own process, and SQL compares before and after.

Every table of then is still there with the same rows and the same values in its columns
(the moved models keep their ``enrollment_…`` tables), but for the changes the migrations
mean to make: the content types of the moved models now belong to ``studies``, Django's own
bookkeeping tables gain rows, and ``enrollment_juryresult`` is gone, each of its rows now a
semester result carrying the same student, average, credits and decision, with its unit and
module results."""

from __future__ import annotations

import gzip
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).resolve().parent / "fixtures" / "seed_demo_58ad0e0.sql.gz"

# Rows of every table in the dump, counted in the database it was made from.
OLD_ROWS = {
    "account_emailaddress": 5,
    "account_emailconfirmation": 0,
    "accounts_outgoingemail": 101,
    "accounts_rolechange": 1,
    "accounts_user": 33,
    "accounts_user_groups": 0,
    "accounts_user_user_permissions": 0,
    "auth_group": 0,
    "auth_group_permissions": 0,
    "auth_permission": 204,
    "certificates_batch": 6,
    "certificates_certificate": 45,
    "core_workerheartbeat": 0,
    "curriculum_diplomaauthority": 1,
    "curriculum_module": 28,
    "curriculum_modulelecturer": 3,
    "curriculum_modulepartner": 45,
    "curriculum_programme": 1,
    "curriculum_semester": 4,
    "curriculum_teachingunit": 16,
    "django_admin_log": 0,
    "django_content_type": 51,
    "django_migrations": 45,
    "django_session": 0,
    "enrollment_applicantprofile": 29,
    "enrollment_application": 14,
    "enrollment_applicationdocument": 52,
    "enrollment_applicationevent": 101,
    "enrollment_attendance": 0,
    "enrollment_calendarfeed": 0,
    "enrollment_classsession": 0,
    "enrollment_cohort": 3,
    "enrollment_counter": 4,
    "enrollment_defence": 0,
    "enrollment_defencemember": 0,
    "enrollment_documentrequirement": 7,
    "enrollment_education": 13,
    "enrollment_experience": 0,
    "enrollment_intake": 1,
    "enrollment_internship": 0,
    "enrollment_interview": 8,
    "enrollment_interview_panel": 16,
    "enrollment_jury": 5,
    "enrollment_juryevent": 10,
    "enrollment_juryresult": 28,
    "enrollment_mark": 256,
    "enrollment_markchange": 256,
    "enrollment_marksheet": 46,
    "enrollment_offer": 4,
    "enrollment_offering": 46,
    "enrollment_offering_lecturers": 6,
    "enrollment_offering_partners": 72,
    "enrollment_review": 9,
    "enrollment_student": 17,
    "mfa_authenticator": 0,
    "partners_agreement": 3,
    "partners_agreement_parties": 6,
    "partners_contact": 3,
    "partners_organisation": 8,
}
# The models that moved to studies, whose tables keep their names.
MOVED = {
    "attendance": "enrollment_attendance",
    "calendarfeed": "enrollment_calendarfeed",
    "classsession": "enrollment_classsession",
    "defence": "enrollment_defence",
    "defencemember": "enrollment_defencemember",
    "internship": "enrollment_internship",
    "jury": "enrollment_jury",
    "juryevent": "enrollment_juryevent",
    "juryresult": "enrollment_juryresult",  # its table is dropped, its content type moves
    "mark": "enrollment_mark",
    "markchange": "enrollment_markchange",
    "marksheet": "enrollment_marksheet",
    "offering": "enrollment_offering",
}
DROPPED = {"enrollment_juryresult"}
RECORD = {
    "studies_semesterresult",
    "studies_unitresult",
    "studies_moduleresult",
    "studies_yearresult",
    "studies_finalresult",
}
# Django's bookkeeping: migrate adds rows (new migrations, content types, permissions).
GROWING = {"django_migrations", "django_content_type", "auth_permission"}
NEW_MIGRATIONS = {
    ("studies", "0001_initial"),
    ("certificates", "0004_jury_in_studies"),
    ("enrollment", "0008_studies_models_moved"),
    ("curriculum", "0003_module_is_thesis"),
    ("studies", "0002_academic_record"),
}

Rows = dict[tuple[Any, ...], dict[str, Any]]  # primary key → column → value


# --- A database of its own on the test server --------------------------------------------------
def _conninfo(name: str) -> str:
    server = connection.settings_dict
    return make_conninfo(
        **{
            key: str(server[setting])
            for key, setting in (
                ("host", "HOST"),
                ("port", "PORT"),
                ("user", "USER"),
                ("password", "PASSWORD"),
            )
            if server.get(setting)
        },
        dbname=name,
    )


def _url(name: str) -> str:
    server = connection.settings_dict
    auth = quote(server["USER"], safe="")
    if server.get("PASSWORD"):
        auth += ":" + quote(str(server["PASSWORD"]), safe="")
    return f"postgres://{auth}@{server['HOST']}:{server['PORT']}/{name}"


@pytest.fixture
def old_database() -> Iterator[str]:
    """A fresh database on the test server with the dump loaded; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.fail("The dump is PostgreSQL's: run the tests on PostgreSQL (make test does).")
    name = f"fwd_{secrets.token_hex(6)}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        _load(name, DUMP)
        yield name
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _load(name: str, dump: Path) -> None:
    """Runs a plain pg_dump file as psql would: its SQL, its COPY … FROM stdin blocks through
    COPY; psql's own meta-commands (``\\restrict``) are not SQL and are passed over."""
    with gzip.open(dump, "rt", encoding="utf-8") as f:
        lines = iter(f.read().splitlines(keepends=True))
    with psycopg.connect(_conninfo(name), autocommit=True) as conn:
        pending: list[str] = []

        def flush() -> None:
            if "".join(pending).strip():
                conn.execute("".join(pending))  # no parameters: several statements at once
            pending.clear()

        for line in lines:
            if line.startswith("\\"):
                continue
            if line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
                flush()
                data = []
                for row in lines:
                    if row.rstrip("\n") == "\\.":
                        break
                    data.append(row)
                with conn.cursor() as cursor, cursor.copy(line.rstrip().rstrip(";")) as copy:
                    copy.write("".join(data))
                continue
            pending.append(line)
        flush()


def _snapshot(name: str) -> dict[str, Rows]:
    """Every table of the database, every row by its primary key."""
    tables: dict[str, Rows] = {}
    with psycopg.connect(_conninfo(name)) as conn:
        names = [
            t
            for (t,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in names:
            key = [
                c
                for (c,) in conn.execute(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                    " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                    " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
                    (f'public."{table}"',),
                )
            ]
            with conn.cursor() as cursor:
                cursor.execute(sql.SQL("SELECT * FROM public.{}").format(sql.Identifier(table)))
                columns = [d.name for d in cursor.description or ()]
                rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            tables[table] = {tuple(r[c] for c in key): r for r in rows}
    return tables


def _one(name: str, query: str, *params: object) -> tuple[Any, ...]:
    with psycopg.connect(_conninfo(name)) as conn:
        rows = conn.execute(query, params).fetchall()
    assert len(rows) == 1, (query, rows)
    return rows[0]


def _migrate(name: str) -> None:
    """Today's migrate, as a deployment runs it: its own process, DATABASE_URL set."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _url(name), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"migrate failed on the old database:\n{result.stdout}\n{result.stderr}")


# --- The test ---------------------------------------------------------------------------------
def test_a_seed_demo_database_of_58ad0e0_migrates_forward_with_every_row_kept(old_database):
    before = _snapshot(old_database)
    # The dump is the database it was made from.
    assert {table: len(rows) for table, rows in before.items()} == OLD_ROWS
    assert not NEW_MIGRATIONS & {
        (r["app"], r["name"]) for r in before["django_migrations"].values()
    }

    _migrate(old_database)
    after = _snapshot(old_database)

    # Tables: only the jury results' table is gone, the academic record's are new, and the
    # moved models' tables keep their names.
    assert set(before) - set(after) == DROPPED
    assert set(after) - set(before) >= RECORD
    assert set(MOVED.values()) - DROPPED <= set(after)

    # Every row of every table that stays, with the same value in each column it had.
    problems: list[str] = []
    for table, old_rows in before.items():
        if table in DROPPED:
            continue
        new_rows = after[table]
        if table not in GROWING and len(new_rows) != len(old_rows):
            problems.append(f"{table}: {len(old_rows)} rows before, {len(new_rows)} after")
        for key, old in old_rows.items():
            new = new_rows.get(key)
            if new is None:
                problems.append(f"{table} {key}: lost")
                continue
            changed = {c for c, value in old.items() if c not in new or new[c] != value}
            if (
                table == "django_content_type"
                and (old["model"] in MOVED)
                and ((old["app_label"], new["app_label"]) == ("enrollment", "studies"))
            ):
                changed.discard("app_label")
            if changed:
                problems.append(f"{table} {key}: {sorted(changed)} changed")
    assert not problems, "\n".join(problems)

    # The content types of the moved models are studies' (same ids: permissions and admin
    # log entries still point at them); those of the models enrollment keeps are not.
    labels = {r["model"]: r["app_label"] for r in after["django_content_type"].values()}
    assert {model: labels[model] for model in MOVED} == dict.fromkeys(MOVED, "studies")
    for model in ("student", "cohort", "application", "intake"):
        assert labels[model] == "enrollment"

    # Django knows the new migrations are applied.
    applied = {(r["app"], r["name"]) for r in after["django_migrations"].values()}
    assert applied >= NEW_MIGRATIONS

    # Each jury result is now version 1 of a semester result: same jury, student, average,
    # credits and decision, and a unit and a module result for each unit and module it had.
    juries = before["enrollment_jury"]
    old_results = before["enrollment_juryresult"].values()
    semester_results = after["studies_semesterresult"]
    assert len(semester_results) == len(old_results) == OLD_ROWS["enrollment_juryresult"]
    fields = ("jury_id", "student_id", "average", "credits", "decision")
    assert sorted(tuple(r[f] for f in fields) for r in semester_results.values()) == sorted(
        tuple(r[f] for f in fields) for r in old_results
    )
    for stored in semester_results.values():
        jury = juries[(stored["jury_id"],)]
        assert (stored["semester"], stored["session"]) == (jury["semester"], jury["session"])
        assert (stored["version"], stored["current"]) == (1, True)
    unit_codes = {k[0]: r["code"] for k, r in after["curriculum_teachingunit"].items()}
    module_codes = {k[0]: r["code"] for k, r in after["curriculum_module"].items()}
    of = {k[0]: (r["jury_id"], r["student_id"]) for k, r in semester_results.items()}
    assert sorted(
        (*of[u["semester_result_id"]], unit_codes[u["unit_id"]], u["average"], u["credits"])
        for u in after["studies_unitresult"].values()
    ) == sorted(
        (r["jury_id"], r["student_id"], code, Decimal(unit["average"]), unit["credits"])
        for r in old_results
        for code, unit in r["detail"]["units"].items()
    )
    assert sorted(
        (*of[m["semester_result_id"]], module_codes[m["module_id"]], m["mark"], m["credits"])
        for m in after["studies_moduleresult"].values()
    ) == sorted(
        (
            r["jury_id"],
            r["student_id"],
            code,
            None if module.get("mark") is None else Decimal(module["mark"]),
            module.get("credits", 0),
        )
        for r in old_results
        for code, module in r["detail"]["modules"].items()
    )
    # The juries that had decided carry the version of their results.
    for key, jury in after["enrollment_jury"].items():
        assert jury["version"] == (0 if juries[key]["status"] == "open" else 1)

    # A few records, field by field, as they were in the old database.
    assert _one(
        old_database,
        "SELECT u.email, c.slug, s.level, s.status FROM enrollment_student s"
        " JOIN accounts_user u ON u.id = s.user_id JOIN enrollment_cohort c ON c.id = s.cohort_id"
        " WHERE s.registration_number = %s",
        "MCRT-2025-0001",
    ) == ("student@demo.tema-wtc.dz", "promotion-2025-2027", "M1", "active")
    assert _one(
        old_database,
        "SELECT m.cc, m.exam, m.absence, m.excluded, m.mark FROM enrollment_mark m"
        " JOIN enrollment_student s ON s.id = m.student_id"
        " JOIN enrollment_marksheet sh ON sh.id = m.sheet_id"
        " JOIN enrollment_offering o ON o.id = sh.offering_id"
        " JOIN curriculum_module mo ON mo.id = o.module_id"
        " WHERE s.registration_number = %s AND mo.code = %s AND sh.session = 'N'",
        "MCRT-2025-0001",
        "F1.2.2",
    ) == (Decimal("11.50"), Decimal("6.50"), "", False, Decimal("8.50"))
    assert _one(
        old_database,
        "SELECT c.kind, c.status, s.registration_number, c.pdf, c.sha256"
        " FROM certificates_certificate c JOIN enrollment_student s ON s.id = c.holder_id"
        " WHERE c.code = %s",
        "PC6X-Q9P0-SQ93-C2",
    ) == (
        "enrollment",
        "ready",
        "MCRT-2025-0001",
        "certificates/PC6X-Q9P0-SQ93-C2.pdf",
        "a2d667fe6bc43e53a45c26cb3ff12756e85e76b8fc241b3386605306c0f475f2",
    )
    assert _one(
        old_database,
        "SELECT co.slug, j.semester, j.session, j.status FROM certificates_certificate c"
        " JOIN enrollment_jury j ON j.id = c.jury_id"
        " JOIN enrollment_cohort co ON co.id = j.cohort_id"
        " WHERE c.code = %s",
        "9PDX-69YC-X24N-FB",
    ) == ("promotion-2025-2027", 1, "N", "published")
    assert _one(
        old_database,
        "SELECT r.semester, r.session, r.average, r.credits, r.decision"
        " FROM studies_semesterresult r JOIN enrollment_student s ON s.id = r.student_id"
        " WHERE s.registration_number = %s",
        "MCRT-2025-0004",
    ) == (1, "N", Decimal("12.57"), 30, "ADMIS_COMP")
    assert _one(
        old_database,
        "SELECT m.mark, m.credits, m.session FROM studies_moduleresult m"
        " JOIN studies_semesterresult r ON r.id = m.semester_result_id"
        " JOIN enrollment_student s ON s.id = r.student_id"
        " JOIN curriculum_module mo ON mo.id = m.module_id"
        " WHERE s.registration_number = %s AND mo.code = %s",
        "MCRT-2025-0001",
        "F1.2.2",
    ) == (Decimal("8.50"), 4, "N")
