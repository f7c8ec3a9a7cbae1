"""Role × URL sweep: every URL pattern of the project, as every persona, GET and POST.

Usage (a scratch PostgreSQL database: the script migrates it, seeds it and adds personas):

    export DATABASE_URL=postgres://postgres@127.0.0.1:55432/tema_h3 \\
           CELERY_BROKER_URL=redis://127.0.0.1:56379/3 CELERY_TASK_ALWAYS_EAGER=on
    .venv/bin/python benchmarks/access_sweep.py [--only PERSONA ...] [--no-post]

Walks ``get_resolver().url_patterns`` (the project's, allauth's and the admin's), fills
each path parameter from the seeded data (``FILLS``: an object of the persona and one of
someone else), then sends GET to every URL and POST (CSRF token from the cookie, empty
body) to every URL whose view handles POST, as each persona, in-process with Django's test
client. Every request runs inside a transaction that is rolled back and the client's
cookies are restored after it, so an empty POST that happens to act (a withdrawal, a
log-out) changes nothing for the next request. The cache (rate limits) is cleared before
each persona, and each persona comes from its own address. Prints a persona × status class
matrix, every 5xx with its traceback, the possible leaks and the totals.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import inspect
import logging
import os
import re
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The sweep's own private folder: files a rolled-back request writes stay out of var/private,
# and the few files the swept objects name are written here (``ensure_file``).
os.environ.setdefault("PRIVATE_ROOT", str(ROOT / "var" / "sweep" / "private"))

import django  # noqa: E402

django.setup()

from allauth.account.forms import default_token_generator  # noqa: E402
from allauth.account.models import EmailAddress, EmailConfirmationHMAC  # noqa: E402
from allauth.account.utils import user_pk_to_url_str  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import got_request_exception  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve  # noqa: E402
from django.urls.resolvers import RoutePattern  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import OutgoingEmail, User  # noqa: E402
from certificates.models import Batch, Certificate, Kind  # noqa: E402
from curriculum.models import Module, ModuleLecturer, ModulePartner, Programme  # noqa: E402
from enrollment.demo import open_intake_slug, running_cohort_slug  # noqa: E402
from enrollment.models import (  # noqa: E402
    Application,
    ApplicationDocument,
    Cohort,
    Education,
    Experience,
    Intake,
    Review,
    Student,
)
from partners.models import Agreement, Contact, Organisation  # noqa: E402
from studies.models import (  # noqa: E402
    ClassSession,
    Defence,
    DefenceMember,
    Internship,
    Jury,
    MarkSheet,
    Offering,
)
from studies.services import internships as internship_services  # noqa: E402
from studies.services import timetable  # noqa: E402
from tests.helpers import enable_totp, pass_mfa, totp_secret_of  # noqa: E402

PREFIX = "sweep"  # e-mail prefix of the personas the sweep creates

# --- Personas ---------------------------------------------------------------------------------
# name: (e-mail, role flags, TOTP enabled, session passes MFA). The demo accounts own the
# seeded objects (applications, student record, modules taught, reviews); the others are
# the sweep's own. "other-applicant" and "other-student" are picked from the seeded data.
PERSONAS: dict[str, tuple[str, dict[str, bool], bool, bool]] = {
    "anonymous": ("", {}, False, False),
    "applicant": ("applicant@demo.tema-wtc.dz", {}, False, False),
    "other-applicant": ("", {}, False, False),
    "student": ("student@demo.tema-wtc.dz", {"is_student": True}, False, False),
    "other-student": ("", {"is_student": True}, False, False),
    "lecturer": ("lecturer@demo.tema-wtc.dz", {"is_lecturer": True}, True, True),
    "lecturer-no-mfa": (f"{PREFIX}.lecturer.nomfa@example.dz", {"is_lecturer": True}, False, False),
    "coordinator": ("coordination@demo.tema-wtc.dz", {"is_coordinator": True}, True, True),
    "coordinator-no-mfa": (
        f"{PREFIX}.coordinator.nomfa@example.dz",
        {"is_coordinator": True},
        False,
        False,
    ),
    "coordinator-password-only": (
        f"{PREFIX}.coordinator.password@example.dz",
        {"is_coordinator": True},
        True,
        False,
    ),
    "admin": ("admin@demo.tema-wtc.dz", {"is_superuser": True, "is_staff": True}, True, True),
    "admin-no-mfa": (
        f"{PREFIX}.admin.nomfa@example.dz",
        {"is_superuser": True, "is_staff": True},
        False,
        False,
    ),
}
STAFF_PASSED = {"lecturer", "coordinator", "admin"}  # staff whose session passed MFA
PRIVILEGED = {"coordinator", "admin"}  # may see every object under /staff/ (not under /me/)

# Public per the brief, and public by design per the README / access table (reported apart).
PUBLIC = re.compile(
    r"^/(|healthz|programme/.*|partners/.*|verify/.*|static/.*|i18n/.*"
    r"|accounts/login/|accounts/signup/|accounts/password/reset/(done/)?)$"
)
PUBLIC_BY_DESIGN = re.compile(
    r"^/(admissions/.*|media/.*|accounts/(inactive|confirm-email)/.*"
    r"|accounts/password/reset/key/.*|accounts/login/code/confirm/|admin/login/)$"
)

COLUMNS = (
    "2xx",
    "3xx→login",
    "3xx→MFA/reauth",
    "3xx other",
    "403",
    "404",
    "405",
    "429",
    "5xx",
    "other",
)


@dataclass(frozen=True)
class Fill:
    """Values for a pattern's parameters; ``owners``: the people whose object it is (who may
    see it besides coordinators and the admin), ``None`` when it is nobody's; ``bearer``:
    the parameter is itself the credential (a signed token)."""

    values: dict[str, str]
    owners: frozenset[int] | None = None
    bearer: bool = False
    note: str = ""


@dataclass
class Row:
    url: str
    name: str
    fill: Fill
    post: bool


@dataclass
class Result:
    persona: str
    method: str
    row: Row
    status: int
    column: str
    location: str = ""


@dataclass
class World:
    """The seeded objects the fills come from."""

    users: dict[str, User] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)


# --- Data -------------------------------------------------------------------------------------
def _user(email: str, flags: dict[str, bool], *, totp: bool) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, first_name="Sweep")
    changed = [f for f, v in flags.items() if getattr(user, f) != v]
    for flag in changed:
        setattr(user, flag, flags[flag])
    if changed:
        user.save(update_fields=changed)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if totp and totp_secret_of(user) is None:
        enable_totp(user)
    return user


def _pdf() -> bytes:
    from enrollment.demo import _pdf as demo_pdf

    return demo_pdf()


def setup_world() -> World:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    world = World()
    Group.objects.get_or_create(name=f"{PREFIX} group")  # so the admin's group pages have one
    for name, (email, flags, totp, _) in PERSONAS.items():
        if email:
            world.users[name] = _user(email, flags, totp=totp)
    cohort = Cohort.objects.get(slug=running_cohort_slug())
    intake = Intake.objects.get(slug=open_intake_slug())
    coordinator, lecturer = world.users["coordinator"], world.users["lecturer"]
    # Applicant A: the demo applicant (a draft); B: a seeded candidate with an offer.
    mine = Application.objects.filter(applicant=world.users["applicant"], intake=intake).first()
    assert mine is not None, "seed_demo gave the demo applicant no application"
    other = (
        Application.objects.filter(intake=intake, status="admitted", documents__isnull=False)
        .exclude(applicant=world.users["applicant"])
        .order_by("number")
        .first()
    )
    assert other is not None, "no admitted application with documents in the demo intake"
    world.users["other-applicant"] = other.applicant
    unassigned = (
        Application.objects.filter(intake=intake, status="submitted", reviewers__isnull=True)
        .order_by("number")
        .first()
    )
    # One the lecturer reviews but declared a conflict of interest on: no documents for them.
    conflicted = (
        Application.objects.filter(
            intake=intake, status="shortlisted", reviewers=lecturer, documents__isnull=False
        )
        .order_by("number")
        .first()
    )
    if conflicted is not None:
        Review.objects.filter(application=conflicted, reviewer=lecturer).update(
            conflict_of_interest=True
        )
    # A's own document, education and experience (the draft has none at first).
    requirement = intake.requirements.filter(required=True).order_by("position").first()
    assert requirement is not None
    if not mine.documents.exists():
        from enrollment.services.applications import document_upload

        upload = SimpleUploadedFile("cv.pdf", _pdf(), content_type="application/pdf")
        document_upload(
            application=mine,
            actor=world.users["applicant"],
            requirement=requirement,
            upload=upload,
        )
    profile_a = world.users["applicant"].applicant_profile
    profile_b = other.applicant.applicant_profile
    for profile in (profile_a, profile_b):
        if not Education.objects.filter(profile=profile).exists():
            Education.objects.create(
                profile=profile, degree="licence", field="Économie", institution="Alger 3",
                year=2015, average="12.50",
            )  # fmt: skip
        if not Experience.objects.filter(profile=profile).exists():
            Experience.objects.create(
                profile=profile, employer="Cluster", position="Chargé de mission",
                start=timezone.now().date().replace(year=2018, month=1, day=1),
            )  # fmt: skip
    # Students: A the demo student, B the next one of the running cohort.
    student_a = Student.objects.get(user=world.users["student"], cohort=cohort)
    student_b = cohort.students.exclude(pk=student_a.pk).order_by("pk").first()
    assert student_b is not None
    world.users["other-student"] = student_b.user
    # The lecturer without MFA teaches what the lecturer teaches (a shared view's staff
    # branch must still ask for MFA).
    taught = Offering.objects.filter(cohort=cohort, lecturers=lecturer).order_by("pk")
    for offering in taught:
        offering.lecturers.add(world.users["lecturer-no-mfa"])
    own_offering = taught.first()
    other_offering = (
        Offering.objects.filter(cohort=cohort).exclude(lecturers=lecturer).order_by("pk").first()
    )
    assert own_offering is not None
    assert other_offering is not None
    sessions = []
    for offering in (own_offering, other_offering):
        start = timezone.now().replace(microsecond=0, second=0, minute=0)
        session, _ = ClassSession.objects.get_or_create(
            offering=offering,
            place=f"{PREFIX} room",
            defaults={"starts_at": start, "ends_at": start + dt.timedelta(hours=2)},
        )
        sessions.append(session)
    # An internship of student A with a defence, a jury member and a thesis (thesis links).
    internship, _ = Internship.objects.get_or_create(
        student=student_a,
        defaults={
            "host_name": "Cluster mécanique de précision",
            "subject": "Animation d'un réseau territorial",
            "starts_on": timezone.now().date(),
            "ends_on": timezone.now().date() + dt.timedelta(days=120),
            "host_tutor": "M. Tuteur",
            "supervisor": lecturer,
        },
    )
    defence, _ = Defence.objects.get_or_create(internship=internship)
    member = defence.members.order_by("pk").first()
    if member is None:
        member = DefenceMember.objects.create(
            defence=defence, role=DefenceMember.Role.EXAMINER, name="Pr. Externe",
            email="externe@example.dz",
        )  # fmt: skip
    if not defence.thesis:
        upload = SimpleUploadedFile("these.pdf", _pdf(), content_type="application/pdf")
        internship_services.thesis_upload(defence=defence, actor=coordinator, upload=upload)
    programme = Programme.objects.get(pk=cohort.programme_id)
    module_taught = (
        Module.objects.filter(programme=programme, lecturer_roles__lecturer=lecturer)
        .order_by("pk")
        .first()
    )
    partner_role = ModulePartner.objects.filter(module__programme=programme).order_by("pk").first()
    organisation = (
        Organisation.objects.filter(contacts__isnull=False).order_by("pk").first()
        or Organisation.objects.order_by("pk").first()
    )
    agreement = (
        Agreement.objects.exclude(signed_pdf="").order_by("pk").first()
        or Agreement.objects.order_by("pk").first()
    )

    def cert(holder: Student | None, kind: str | None = None) -> Certificate | None:
        qs = Certificate.objects.filter(status=Certificate.Status.READY, holder=holder)
        if kind:
            qs = qs.filter(kind=kind)
        return qs.order_by("pk").first()

    world.objects.update(
        cohort=cohort,
        intake=intake,
        programme=programme,
        app_mine=mine,
        app_other=other,
        app_unassigned=unassigned,
        app_conflict=conflicted,
        requirement=requirement,
        profile_a=profile_a,
        profile_b=profile_b,
        student_a=student_a,
        student_b=student_b,
        cert_a=cert(student_a, Kind.ENROLLMENT),
        cert_b=cert(student_b, Kind.ENROLLMENT),
        cert_jury=Certificate.objects.filter(kind=Kind.JURY_RECORD, cohort=cohort)
        .order_by("pk")
        .first(),
        own_offering=own_offering,
        other_offering=other_offering,
        sessions=sessions,
        internship=internship,
        thesis_token=internship_services.thesis_link_token(defence, member),
        module=module_taught or Module.objects.filter(programme=programme).order_by("pk").first(),
        lecturer_role=ModuleLecturer.objects.filter(module__programme=programme)
        .order_by("pk")
        .first(),
        partner_role=partner_role,
        organisation=organisation,
        contact=Contact.objects.filter(organisation=organisation).order_by("pk").first(),
        agreement=agreement,
        email=OutgoingEmail.objects.order_by("pk").first(),
        jury=Jury.objects.filter(cohort=cohort).order_by("semester", "session").first(),
        batch=Batch.objects.filter(cohort=cohort).order_by("pk").first(),
        batch_jury=Batch.objects.filter(cohort=cohort, kind=Kind.JURY_RECORD)
        .order_by("pk")
        .first(),
    )
    for key in ("cert_a", "cert_b", "cert_jury"):
        if world.objects[key] is not None:
            ensure_file(world.objects[key].pdf)
    for document in ApplicationDocument.objects.filter(application__in=[mine, other]):
        ensure_file(document.file)
    ensure_file(defence.thesis)
    if agreement is not None:
        ensure_file(agreement.signed_pdf)
    return world


def ensure_file(file: Any) -> None:
    """A private file the swept object names (a certificate, a document, a thesis): written
    as a small PDF if missing, so a 404 means the access check said no, not a lost file."""
    if file and not file.storage.exists(file.name):
        path = Path(file.storage.path(file.name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_pdf())


def _ids(*users: User | None) -> frozenset[int]:
    return frozenset(u.pk for u in users if u is not None)


def _lecturers(offering: Offering) -> frozenset[int]:
    return frozenset(offering.lecturers.values_list("pk", flat=True))


def _reviewers(application: Application) -> frozenset[int]:
    return frozenset(application.reviewers.values_list("pk", flat=True))


def build_fills(w: World) -> dict[str, list[Fill]]:
    """The table: URL name → the parameter values to try (each an object of one person or of
    nobody). Parameters written as alternatives in the pattern (``csv|xlsx``,
    ``close|publish|reopen``…) are expanded by ``expand`` and need no entry here."""
    o, u = w.objects, w.users
    cohort, programme = o["cohort"], o["programme"]
    mine, other, unassigned = o["app_mine"], o["app_other"], o["app_unassigned"]
    conflict = o["app_conflict"]
    a, b = u["applicant"], u["other-applicant"]
    slug = {"slug": cohort.slug}
    pslug = {"slug": programme.slug}
    doc_a = mine.documents.order_by("pk").first()
    doc_b = other.documents.order_by("pk").first()
    edu_a = Education.objects.filter(profile=o["profile_a"]).order_by("pk").first()
    edu_b = Education.objects.filter(profile=o["profile_b"]).order_by("pk").first()
    exp_a = Experience.objects.filter(profile=o["profile_a"]).order_by("pk").first()
    exp_b = Experience.objects.filter(profile=o["profile_b"]).order_by("pk").first()
    sheets_own = MarkSheet.objects.filter(offering=o["own_offering"]).order_by("pk").first()
    sheets_other = MarkSheet.objects.filter(offering=o["other_offering"]).order_by("pk").first()
    student_a, student_b = o["student_a"], o["student_b"]

    def app_fills(extra: Callable[[Application], list[dict[str, str]]] | None = None) -> list[Fill]:
        fills = []
        for app, owner in ((mine, a), (other, b)):
            for values in extra(app) if extra else [{}]:
                fills.append(Fill({"number": app.number, **values}, _ids(owner)))
        return fills

    def staff_app(app: Application | None) -> Fill | None:
        return None if app is None else Fill({"number": app.number}, _reviewers(app))

    def edu(kind: str) -> list[Fill]:
        own, theirs = (edu_a, edu_b) if kind == "education" else (exp_a, exp_b)
        assert own is not None
        assert theirs is not None
        return [
            Fill({"number": mine.number, "kind": kind, "pk": str(own.pk)}, _ids(a)),
            Fill({"number": other.number, "kind": kind, "pk": str(theirs.pk)}, _ids(b)),
            # A's own application with B's row: nobody's combination.
            Fill({"number": mine.number, "kind": kind, "pk": str(theirs.pk)}, frozenset()),
        ]

    def docs() -> list[Fill]:
        return [
            Fill({"number": mine.number, "pk": str(doc_a.pk)}, _ids(a)),
            Fill({"number": other.number, "pk": str(doc_b.pk)}, _ids(b)),
            Fill({"number": mine.number, "pk": str(doc_b.pk)}, frozenset(), note="mixed"),
        ]

    def staff_docs() -> list[Fill]:
        fills = [
            Fill({"number": mine.number, "pk": str(doc_a.pk)}, _reviewers(mine)),
            Fill({"number": other.number, "pk": str(doc_b.pk)}, _reviewers(other)),
        ]
        if conflict is not None:
            doc = conflict.documents.order_by("pk").first()
            free = frozenset(
                conflict.reviews.filter(conflict_of_interest=False).values_list(
                    "reviewer_id", flat=True
                )
            )
            fills.append(Fill({"number": conflict.number, "pk": str(doc.pk)}, free, note="coi"))
        return fills

    def certs() -> list[Fill]:
        fills = []
        for key, holder in (("cert_a", student_a), ("cert_b", student_b), ("cert_jury", None)):
            if o[key] is not None:
                owners = _ids(holder.user) if holder else frozenset()
                fills.append(Fill({"code": o[key].code}, owners, note=key))
        return fills

    def sheets() -> list[Fill]:
        return [
            Fill({"pk": str(s.pk)}, _lecturers(s.offering))
            for s in (sheets_own, sheets_other)
            if s is not None
        ]

    def feed(user: User) -> Fill:
        return Fill({"token": timetable.feed_token(user) or "revoked"}, _ids(user), bearer=True)

    jury = o["jury"]
    juries = [{"semester": str(jury.semester), "session": jury.session}] if jury else []
    juries.append({"semester": "2", "session": "N"})
    fills: dict[str, Sequence[Fill | None]] = {
        "accounts:person": [Fill({"pk": str(b.pk)})],
        "accounts:person_role": [Fill({"pk": str(b.pk)})],
        "accounts:email_retry": [Fill({"pk": str(o["email"].pk)})] if o["email"] else [],
        "partners:organisation": [Fill({"slug": o["organisation"].slug})],
        "partners:organisation_edit": [Fill({"slug": o["organisation"].slug})],
        "partners:contact_add": [Fill({"slug": o["organisation"].slug})],
        "partners:contact_edit": [
            Fill({"slug": o["organisation"].slug, "pk": str(o["contact"].pk)})
        ]
        if o["contact"]
        else [],
        "partners:contact_delete": [
            Fill({"slug": o["organisation"].slug, "pk": str(o["contact"].pk)})
        ]
        if o["contact"]
        else [],
        "partners:agreement_edit": [Fill({"pk": str(o["agreement"].pk)})],
        "partners:agreement_pdf": [Fill({"pk": str(o["agreement"].pk)})],
        "curriculum:programme": [Fill(pslug)],
        "curriculum:module": [Fill({**pslug, "code": o["module"].code})],
        "curriculum:partner": [Fill({"slug": o["organisation"].slug})],
        "curriculum:structure": [Fill(pslug)],
        "curriculum:programme_edit": [Fill(pslug)],
        "curriculum:unit_add": [Fill(pslug)],
        "curriculum:unit_edit": [Fill({**pslug, "pk": str(o["module"].unit_id)})],
        "curriculum:unit_move": [Fill({**pslug, "pk": str(o["module"].unit_id)})],
        "curriculum:module_add": [Fill(pslug)],
        "curriculum:module_edit": [Fill({**pslug, "pk": str(o["module"].pk)})],
        "curriculum:module_move": [Fill({**pslug, "pk": str(o["module"].pk)})],
        "curriculum:module_delete": [Fill({**pslug, "pk": str(o["module"].pk)})],
        "curriculum:module_add_lecturer": [Fill({**pslug, "pk": str(o["module"].pk)})],
        "curriculum:module_remove_lecturer": [
            Fill(
                {
                    **pslug,
                    "pk": str(o["lecturer_role"].module_id),
                    "assignment": str(o["lecturer_role"].pk),
                }
            )
        ],
        "curriculum:module_add_partner": [Fill({**pslug, "pk": str(o["module"].pk)})],
        "curriculum:module_remove_partner": [
            Fill(
                {
                    **pslug,
                    "pk": str(o["partner_role"].module_id),
                    "assignment": str(o["partner_role"].pk),
                }
            )
        ]
        if o["partner_role"]
        else [],
        "curriculum:export": [Fill(pslug)],
        "enrollment:intake": [Fill({"slug": o["intake"].slug})],
        "enrollment:apply": [Fill({"slug": o["intake"].slug})],
        "enrollment:application": app_fills(),
        "enrollment:step": app_fills(
            lambda app: [{"step": s} for s in ("profile", "education", "documents", "submit")]
        ),
        "enrollment:education_delete": [*edu("education"), *edu("experience")],
        "enrollment:submit": app_fills(),
        "enrollment:withdraw": app_fills(),
        "enrollment:document_replace": app_fills(),
        "enrollment:document": docs(),
        "enrollment:document_delete": docs(),
        "enrollment:offer_answer": app_fills(),
        "enrollment:cohort_edit": [Fill({"pk": str(cohort.pk)})],
        "enrollment:intake_edit": [Fill({"pk": str(o["intake"].pk)})],
        "enrollment:intake_requirements": [Fill({"pk": str(o["intake"].pk)})],
        "enrollment:requirement_delete": [
            Fill({"pk": str(o["intake"].pk), "requirement": str(o["requirement"].pk)})
        ],
        "enrollment:intake_shortlist": [Fill({"pk": str(o["intake"].pk)})],
        "studies:cohort": [Fill(slug)],
        "studies:offerings_open": [Fill(slug)],
        "studies:cohort_results": [Fill(slug)],
        "studies:internships": [Fill(slug)],
        "studies:internship": [Fill({**slug, "pk": str(o["internship"].pk)})],
        "studies:thesis_link": [
            Fill({"token": o["thesis_token"]}, frozenset(), bearer=True),
            Fill({"token": "not-a-token"}, bearer=True),
        ],
        "studies:student_add": [Fill(slug)],
        "studies:student_import": [Fill(slug)],
        "studies:student_status": [Fill({**slug, "pk": str(student_a.pk)})],
        "studies:jury": [Fill({**slug, **j}) for j in juries],
        "studies:jury_action": [Fill({**slug, **j}) for j in juries[:1]],
        "studies:offering_sessions": [
            Fill({"pk": str(x.pk)}, _lecturers(x)) for x in (o["own_offering"], o["other_offering"])
        ],
        "studies:attendance": [
            Fill({"pk": str(s.pk)}, _lecturers(s.offering)) for s in o["sessions"]
        ],
        "studies:calendar": [feed(student_a.user), feed(student_b.user), feed(u["lecturer"])],
        "studies:sheet": sheets(),
        "studies:sheet_export": sheets(),
        "enrollment:staff_application": [
            staff_app(mine),
            staff_app(other),
            staff_app(unassigned),
            staff_app(conflict),  # the page may say "in conflict"; the documents may not open
        ],
        "enrollment:staff_document": staff_docs(),
        "enrollment:staff_action": [staff_app(other), staff_app(unassigned)],
        "certificates:verify": [Fill({"code": c.values["code"]}) for c in certs()]
        + [Fill({"code": "NOPE-NOPE-NOPE-00"})],
        "certificates:download": certs(),
        "certificates:retry": certs(),
        "certificates:revoke": certs(),
        "certificates:batch_new": [Fill(slug)],
        "certificates:batch": [Fill({"pk": str(x.pk)}) for x in (o["batch"], o["batch_jury"]) if x],
        "certificates:batch_zip": [Fill({"pk": str(o["batch"].pk)})] if o["batch"] else [],
        # allauth: the keys are the credential.
        "account_confirm_email": [
            Fill(
                {"key": EmailConfirmationHMAC(EmailAddress.objects.get(user=a, primary=True)).key},
                _ids(a),
                bearer=True,
            ),
            Fill({"key": "not-a-key"}, bearer=True),
        ],
        "account_reset_password_from_key": [
            Fill(
                {"uidb36": user_pk_to_url_str(a), "key": default_token_generator.make_token(a)},
                _ids(a),
                bearer=True,
            ),
            Fill({"uidb36": user_pk_to_url_str(b), "key": "0-not-a-key"}, bearer=True),
        ],
        # the admin
        "admin:auth_user_password_change": [Fill({"id": str(b.pk)})],
        "admin:view_on_site": [
            Fill(
                {
                    "content_type_id": str(ContentType.objects.get_for_model(Organisation).pk),
                    "object_id": str(o["organisation"].pk),
                }
            )
        ],
        "admin:catch_all": [Fill({"url": "no-such-page/"})],
        "media": [Fill({"path": _media_file()})],
    }
    return {k: [f for f in v if f is not None] for k, v in fills.items()}


def _media_file() -> str:
    root = Path(settings.MEDIA_ROOT)
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file():
            return str(path.relative_to(root))
    return "no-such-file.png"


def admin_object_fill(model_name: str, world: World) -> Fill | None:
    """``<path:object_id>`` of the admin: an object of that admin's model (for the users:
    the other applicant)."""
    for model in admin.site._registry:
        if f"{model._meta.app_label}_{model._meta.model_name}" == model_name:
            if model is User:
                return Fill({"object_id": str(world.users["other-applicant"].pk)})
            pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return None if pk is None else Fill({"object_id": str(pk)})
    return None


# --- URL patterns -----------------------------------------------------------------------------
@dataclass
class Pattern:
    parts: list[Any]  # RoutePattern | RegexPattern
    name: str  # "ns:name", or a label for unnamed ones
    callback: Callable[..., Any]

    @property
    def text(self) -> str:
        return "".join(str(p) for p in self.parts)


def walk(
    patterns: list[URLPattern | URLResolver], parts: list[Any], ns: str | None
) -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = ":".join(x for x in (ns, p.namespace) if x) or None
            yield from walk(p.url_patterns, [*parts, p.pattern], namespace)
        else:
            name = p.name
            text = "".join(str(x) for x in [*parts, p.pattern])
            if name is None:
                if text.startswith("^media/"):
                    name = "media"
                elif text.endswith("(?P<url>.*)$"):
                    name = "catch_all"
                elif "<path:object_id>/" in text:
                    name = "object_redirect"
                else:
                    name = text
            yield Pattern([*parts, p.pattern], f"{ns}:{name}" if ns else name, p.callback)


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
ALTERNATIVES = re.compile(r"^[\w.-]+(\|[\w.-]+)+$")


def params_of(pattern: Pattern) -> dict[str, str]:
    """Parameter name → its regex body (or converter name for routes)."""
    found: dict[str, str] = {}
    for part in pattern.parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            for m in PARAM.finditer(text):
                found[m["name"]] = m["conv"] or "str"
        else:
            for m in GROUP.finditer(text):
                found[m["name"]] = m["body"]
    return found


def build_url(pattern: Pattern, values: dict[str, str]) -> str:
    out = []
    for part in pattern.parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            out.append(PARAM.sub(lambda m: values[m["name"]], text))
        else:
            text = GROUP.sub(lambda m: values[m["name"]], text)
            text = text.removeprefix("^").removesuffix("$").replace("\\.", ".")
            out.append(text)
    return "/" + "".join(out)


def accepts_post(callback: Callable[..., Any]) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return True
    if "require_GET" in source or "require_safe" in source:
        return False
    return "POST" in source


def expand(pattern: Pattern, fills: dict[str, list[Fill]], world: World) -> tuple[list[Row], str]:
    """The concrete URLs of a pattern, or none and the reason."""
    params = params_of(pattern)
    choices = {n: body.split("|") for n, body in params.items() if ALTERNATIVES.match(body)}
    needed = set(params) - set(choices)
    base: list[Fill]
    if not needed:
        base = [Fill({})]
    elif pattern.name in fills:
        base = fills[pattern.name]
    elif needed == {"object_id"} and pattern.name.startswith("admin:"):
        model = pattern.name.removeprefix("admin:").rsplit("_", 1)[0]
        if pattern.name == "admin:object_redirect":
            model = pattern.text.split("/")[1] + "_" + pattern.text.split("/")[2]
        fill = admin_object_fill(model, world)
        base = [fill] if fill else []
    else:
        return [], f"no fill for {sorted(needed)}"
    if not base:
        return [], "no such object in the seeded data"
    rows: list[Row] = []
    post = accepts_post(pattern.callback)
    for fill in base:
        combos: list[dict[str, str]] = [{}]
        for name, options in choices.items():
            if name in fill.values:
                continue
            combos = [{**c, name: option} for c in combos for option in options]
        for combo in combos:
            values = {**fill.values, **combo}
            url = build_url(pattern, values)
            try:
                match = resolve(url.split("?")[0])
            except Resolver404:
                return [], f"built {url} does not resolve"
            if match.func is not pattern.callback and pattern.name != "admin:catch_all":
                return [], f"built {url} resolves to another view ({match.view_name})"
            rows.append(Row(url, pattern.name, Fill(values, fill.owners, fill.bearer), post))
    return rows, ""


# --- Requests ---------------------------------------------------------------------------------
EXCEPTIONS: list[tuple[str, str]] = []  # (path, traceback) of the request being sent


def _on_exception(sender: object, request: Any = None, **kwargs: object) -> None:
    EXCEPTIONS.append((getattr(request, "path", "?"), traceback.format_exc()))


class CsrfCounter(logging.Handler):
    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        CsrfCounter.count += 1


def client_for(persona: str, world: World, index: int) -> Client:
    """As ``tests.helpers.logged_in``: ``force_login``, then the TOTP code on allauth's page
    for the staff whose session passes MFA (the password-only coordinator skips it)."""
    address = f"10.0.{index}.1"
    client = Client(raise_request_exception=False, enforce_csrf_checks=True, REMOTE_ADDR=address)
    if persona == "anonymous":
        return client
    user = world.users[persona]
    login = Client(REMOTE_ADDR=address)
    login.force_login(user)
    if PERSONAS[persona][3]:
        pass_mfa(login, user)
    client.cookies = login.cookies
    return client


def classify(response: HttpResponse) -> tuple[str, str]:
    status = response.status_code
    location = response.get("Location", "") if 300 <= status < 400 else ""
    if 200 <= status < 300:
        return "2xx", location
    if 300 <= status < 400:
        path = location.split("?")[0]
        if path.endswith(("/accounts/login/", "/admin/login/")):
            return "3xx→login", location
        if "/accounts/2fa/" in path or "/accounts/reauthenticate/" in path:
            return "3xx→MFA/reauth", location
        return "3xx other", location
    if status >= 500:
        return "5xx", location
    key = str(status)
    return (key if key in COLUMNS else "other"), location


CSRF_PAGES = ("/accounts/password/reset/", "/accounts/signup/", "/accounts/login/")


def csrf_token(client: Client) -> str:
    if "csrftoken" not in client.cookies:
        for page in CSRF_PAGES:
            send(client, "GET", page)
            if "csrftoken" in client.cookies:
                break
    morsel = client.cookies.get("csrftoken")
    return morsel.value if morsel is not None else ""


def send(client: Client, method: str, url: str, token: str = "") -> HttpResponse:
    """One request in a transaction that is rolled back, the cookies put back after it."""
    saved = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, headers={"X-CSRFToken": token} if token else {})
            transaction.set_rollback(True)
    finally:
        keep = client.cookies.get("csrftoken")
        client.cookies = saved
        if keep is not None and "csrftoken" not in saved:
            client.cookies["csrftoken"] = keep.value
    return response  # type: ignore[return-value]


def sweep_persona(
    persona: str, index: int, rows: list[Row], world: World, with_post: bool
) -> tuple[list[Result], list[tuple[Result, str]], float]:
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()  # rate limits count per process: each persona starts clean
    started = time.monotonic()
    client = client_for(persona, world, index)
    results: list[Result] = []
    errors: list[tuple[Result, str]] = []
    for row in rows:
        for method in ("GET", "POST") if (row.post and with_post) else ("GET",):
            token = csrf_token(client) if method == "POST" else ""
            EXCEPTIONS.clear()
            response = send(client, method, row.url, token)
            column, location = classify(response)
            result = Result(persona, method, row, response.status_code, column, location)
            results.append(result)
            if column == "5xx":
                errors.append((result, EXCEPTIONS[-1][1] if EXCEPTIONS else ""))
    return results, errors, time.monotonic() - started


# --- Leaks ------------------------------------------------------------------------------------
def leak_reason(result: Result, world: World) -> str:
    """Why a 2xx is suspicious, or ''."""
    if result.column != "2xx":
        return ""
    persona, row = result.persona, result.row
    path = row.url.split("?")[0]
    user = world.users.get(persona)
    owners = row.fill.owners
    if persona == "anonymous":
        if PUBLIC.match(path) or PUBLIC_BY_DESIGN.match(path):
            return ""
        return "anonymous on a page that is not public"
    exempt = persona in PRIVILEGED and not path.startswith("/me/")
    if owners is not None and user is not None and user.pk not in owners and not exempt:
        return "someone else's object"
    staff_url = path.startswith(("/staff/", "/admin/")) and not PUBLIC_BY_DESIGN.match(path)
    if staff_url and persona not in STAFF_PASSED:
        return "staff URL to a non-staff persona or a session that did not pass MFA"
    return ""


# --- Main -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=list(PERSONAS), help="these personas only")
    parser.add_argument("--no-post", action="store_true", help="GET only")
    parser.add_argument("--details", type=Path, help="write every request's outcome here (TSV)")
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("django.security").setLevel(logging.CRITICAL)
    csrf_logger = logging.getLogger("django.security.csrf")
    csrf_logger.addHandler(CsrfCounter())
    csrf_logger.setLevel(logging.WARNING)
    csrf_logger.propagate = False
    got_request_exception.connect(_on_exception)
    started = time.monotonic()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CELERY_TASK_ALWAYS_EAGER=True,
    ):
        world = setup_world()
        fills = build_fills(world)
        rows: list[Row] = []
        not_swept: list[tuple[str, str]] = []
        patterns = list(walk(get_resolver().url_patterns, [], None))
        for pattern in patterns:
            built, reason = expand(pattern, fills, world)
            rows.extend(built)
            if reason:
                not_swept.append((pattern.text, reason))
        personas = args.only or list(PERSONAS)
        print(f"database: {settings.DATABASES['default']['NAME']}, DEBUG={settings.DEBUG}")
        print(f"patterns: {len(patterns)}, URL rows: {len(rows)}, POST rows: "
              f"{sum(r.post for r in rows)}; setup {time.monotonic() - started:.0f} s")  # fmt: skip
        results: list[Result] = []
        errors: list[tuple[Result, str]] = []
        for index, persona in enumerate(personas):
            got, failed, took = sweep_persona(persona, index, rows, world, not args.no_post)
            results.extend(got)
            errors.extend(failed)
            print(f"  {persona:<26} {len(got):>5} requests in {took:6.1f} s", flush=True)
    if args.details:
        with args.details.open("w") as out:
            out.write("persona\tmethod\tstatus\tclass\turl\tlocation\n")
            for r in results:
                out.write(
                    f"{r.persona}\t{r.method}\t{r.status}\t{r.column}\t{r.row.url}\t{r.location}\n"
                )
    report(results, errors, not_swept, rows, personas, world, time.monotonic() - started)


def result_status(errors: list[tuple[Result, str]], method: str, url: str) -> int:
    return next(r.status for r, _ in errors if r.method == method and r.row.url == url)


def report(
    results: list[Result],
    errors: list[tuple[Result, str]],
    not_swept: list[tuple[str, str]],
    rows: list[Row],
    personas: list[str],
    world: World,
    elapsed: float,
) -> None:
    print("\n(1) persona × status class (GET + POST)")
    width = 26
    print(f"{'persona':<{width}}" + "".join(f"{c:>15}" for c in COLUMNS) + f"{'total':>8}")
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        matrix[r.persona][r.column] += 1
    total: Counter[str] = Counter()
    for persona in personas:
        counts = matrix[persona]
        total.update(counts)
        print(
            f"{persona:<{width}}"
            + "".join(f"{counts[c]:>15}" for c in COLUMNS)
            + f"{sum(counts.values()):>8}"
        )
    print(f"{'all':<{width}}" + "".join(f"{total[c]:>15}" for c in COLUMNS) + f"{total.total():>8}")
    by_method: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_method[r.method][r.column] += 1
    for method, counts in by_method.items():
        print(
            f"{'  ' + method:<{width}}"
            + "".join(f"{counts[c]:>15}" for c in COLUMNS)
            + f"{counts.total():>8}"
        )
    others = Counter(r.status for r in results if r.column == "other")
    print(f"other: {dict(sorted(others.items()))}; CSRF refusals logged: {CsrfCounter.count}")

    print(f"\n(2) server errors: {len(errors)}")
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for result, tb in errors:
        last = "\n".join(f"      {line}" for line in tb.strip().splitlines()[-9:]) if tb else ""
        key = (result.method, result.row.url, last or f"      no exception: {result.status}")
        seen[key].append(result.persona)
    for (method, url, last), who in seen.items():
        print(f"  {method} {url} → {result_status(errors, method, url)} for {', '.join(who)}")
        print(last)

    leaks = [(r, leak_reason(r, world)) for r in results]
    leaks = [(r, why) for r, why in leaks if why]
    bearer = [(r, why) for r, why in leaks if r.row.fill.bearer]
    plain = [(r, why) for r, why in leaks if not r.row.fill.bearer]
    print(f"\n(3) possible leaks: {len(plain)} (+ {len(bearer)} on token URLs, where the token "
          "is the credential)")  # fmt: skip
    for r, why in plain:
        print(f"  {r.persona:<26} {r.method:<4} {r.status} {r.row.url}  — {why}")
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r, _ in bearer:
        grouped[(r.method, r.row.url)].append(r.persona)
    for (method, url), who in grouped.items():
        print(f"  [token URL] {method} {url} → 2xx to {len(who)}: {', '.join(who)}")
    lecturer_staff = sorted(
        {
            (r.method, r.row.url)
            for r in results
            if r.persona == "lecturer" and r.column == "2xx" and r.row.url.startswith("/staff/")
        }
    )
    print(
        f"  (for review, not counted: staff URLs the lecturer got a 2xx on: {len(lecturer_staff)})"
    )
    for method, url in lecturer_staff:
        print(f"      {method} {url}")
    designed = sorted(
        {
            r.row.url
            for r in results
            if r.persona == "anonymous" and r.column == "2xx" and PUBLIC_BY_DESIGN.match(r.row.url)
        }
    )
    print(f"  (not counted: anonymous 2xx on pages public by design beyond the brief's list: "
          f"{', '.join(designed)})")  # fmt: skip

    own = [
        r
        for r in results
        if r.method == "GET"
        and r.status != 405
        and r.row.fill.owners
        and world.users.get(r.persona) is not None
        and world.users[r.persona].pk in r.row.fill.owners
    ]
    refused = [r for r in own if r.column != "2xx"]
    print(f"  (control: GETs of a persona's own object: {len(own)}, of which not 2xx: "
          f"{len(refused)}; leak checks count where owners get in)")  # fmt: skip
    for r in refused:
        print(f"      {r.persona:<26} {r.status} {r.row.url} {r.location}")

    print(f"\nnot swept: {len(not_swept)}")
    for text, reason in not_swept:
        print(f"  {text}  — {reason}")
    print(
        f"\n(4) totals: {len(rows)} URL rows ({sum(r.post for r in rows)} also POSTed), "
        f"{len(results)} requests ({sum(r.method == 'GET' for r in results)} GET, "
        f"{sum(r.method == 'POST' for r in results)} POST), {len(personas)} personas, "
        f"{elapsed:.0f} s"
    )


if __name__ == "__main__":
    main()
