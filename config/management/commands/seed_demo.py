"""Load the demo data: idempotent, a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.demo import DEMO_PASSWORD, seed_accounts
from accounts.models import User
from certificates.demo import seed_issuer, seed_jury_members
from certificates.models import Certificate, Kind
from certificates.services import batch_start
from curriculum.demo import seed_curriculum
from curriculum.models import Programme
from enrollment.demo import (
    complete_demo_identity,
    running_cohort_slug,
    seed_admissions,
    seed_students,
)
from enrollment.models import Cohort, Student
from enrollment.services.decisions import student_create
from finance.demo import seed_finance
from finance.models import Invoice, Payment
from partners.demo import seed_partners
from studies.demo import (
    seed_co_teaching_promises,
    seed_graduates,
    seed_marks,
    seed_teaching_content,
    seed_timetable,
)
from studies.models import Jury, Mark, Offering
from studies.services.marks import offerings_open

COORDINATOR = "coordination@demo.tema-wtc.dz"


class Command(BaseCommand):
    help = "Create the demo data (accounts of every role, …); running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--students", type=int, help="create or top up a cohort to this many active students"
        )
        parser.add_argument("--cohort", help="slug of that cohort (with --students)")

    def _issue(self, **kwargs: Any) -> None:
        """Start a batch of demo documents; one nobody is eligible for (a database seeded
        by an older version, whose cohorts lack a result) is said and skipped, not fatal."""
        try:
            batch_start(**kwargs)
        except ValidationError as refused:
            self.stdout.write(
                f"  {kwargs['kind']} of {kwargs['cohort'].slug}: skipped ({refused.messages[0]})"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["students"] is not None:
            self._students(options["students"], options["cohort"])
            seed_issuer()  # their documents need an issuer and signatories too
            return
        accounts = seed_accounts(known_password=settings.DEBUG)
        created = sum(1 for _, was_created in accounts if was_created)
        self.stdout.write(f"Demo accounts: {len(accounts)} ({created} created).")
        organisations = seed_partners()
        self.stdout.write(f"Partners: {len(organisations)} organisations.")
        self.stdout.write(f"Issuer of the documents: {seed_issuer()}.")
        lecturers = list(User.objects.filter(email="lecturer@demo.tema-wtc.dz"))
        programme = seed_curriculum(organisations=organisations, lecturers=lecturers)
        self.stdout.write(
            f"Curriculum: {programme.code}, {programme.semesters.count()} semesters, "
            f"{programme.modules.count()} modules."
        )
        people = {u.email: u for u in User.objects.filter(email__endswith="@demo.tema-wtc.dz")}
        intake = seed_admissions(
            programme=programme,
            coordinator=people.get("coordination@demo.tema-wtc.dz"),
            reviewer=people.get("lecturer@demo.tema-wtc.dz"),
            applicant=people.get("applicant@demo.tema-wtc.dz"),
        )
        self.stdout.write(
            f"Admissions: intake {intake.slug} with {intake.applications.count()} applications."
        )
        student = people.get("student@demo.tema-wtc.dz")
        running = Cohort.objects.get(slug=running_cohort_slug())
        if student is not None and not Student.objects.filter(user=student).exists():
            student_create(user=student, cohort=running)
        if student is not None:
            complete_demo_identity(student)
        cohort, created = seed_students(count=12, cohort_slug=running.slug, programme=programme)
        coordinator = people.get("coordination@demo.tema-wtc.dz")
        if coordinator is not None:
            seed_marks(cohort=cohort, coordinator=coordinator)
            booked = seed_timetable(cohort, coordinator=coordinator)
            seed_co_teaching_promises()
            if booked:
                self.stdout.write(f"Timetable of {cohort.slug}: {booked} sessions booked.")
            content = seed_teaching_content(cohort, coordinator=coordinator)
            if content:
                self.stdout.write(
                    # gettext, not _: handle() uses "_" as a throw-away name.
                    gettext(
                        "Teaching of %(slug)s: %(sections)d sections of materials, "
                        "%(materials)d materials (%(versions)d file versions), "
                        "%(announcements)d announcements sent."
                    )
                    % {
                        "slug": cohort.slug,
                        "sections": content.sections,
                        "materials": content.materials,
                        "versions": content.versions,
                        "announcements": content.announcements,
                    }
                )
        self.stdout.write(
            f"Cohort {cohort.slug}: {cohort.students.count()} students, "
            f"{Mark.objects.filter(sheet__offering__cohort=cohort).count()} marks."
        )
        cashier = people.get("finance@demo.tema-wtc.dz")
        fees = cashier and seed_finance(cohort=cohort, cashier=cashier, intake=intake)
        if fees is not None:
            invoices = Invoice.objects.filter(cohort=cohort)
            payments = Payment.objects.filter(allocations__line__invoice__in=invoices).distinct()
            self.stdout.write(
                f"Fees of {cohort.slug}: {invoices.count()} invoices, {payments.count()} payments."
            )
        if coordinator is not None and not Certificate.objects.filter(cohort=cohort).exists():
            # Rendered by the worker (make run starts one): enrollment attestations, the
            # transcripts and module certificates of the published first semester, its jury
            # record, and for a cohort that graduated, cumulative transcripts and success
            # attestations.
            self._issue(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
            self._issue(cohort=cohort, kind=Kind.TRANSCRIPT, semester=1, actor=coordinator)
            first = Offering.objects.filter(cohort=cohort, semester=1).order_by("module__code")
            if (offering := first.select_related("module").first()) is not None:
                self._issue(
                    cohort=cohort, kind=Kind.MODULE, module=offering.module, actor=coordinator
                )
            if (jury := Jury.objects.filter(cohort=cohort, semester=1).first()) is not None:
                seed_jury_members(jury)
                self._issue(cohort=cohort, kind=Kind.JURY_RECORD, jury=jury, actor=coordinator)
            graduates = seed_graduates(programme=programme, coordinator=coordinator)
            self._issue(cohort=graduates, kind=Kind.CUMULATIVE, actor=coordinator)
            self._issue(cohort=graduates, kind=Kind.SUCCESS, actor=coordinator)
        self.stdout.write(
            f"Certificates: {Certificate.objects.count()} queued or ready, of "
            f"{Certificate.objects.values('kind').distinct().count()} kinds."
        )
        if settings.DEBUG:
            self.stdout.write("")
            self.stdout.write(f"  {'role':<12} {'e-mail':<34} password")
            for account, _ in accounts:
                self.stdout.write(f"  {account.role:<12} {account.email:<34} {DEMO_PASSWORD}")
            self.stdout.write(
                "  (staff accounts are asked to set up an authenticator app on their first "
                "visit to the staff space)"
            )

    def _students(self, count: int, slug: str | None) -> None:
        if not slug:
            raise CommandError("--students needs --cohort SLUG.")
        if count < 1:
            raise CommandError("--students must be at least 1.")
        programme = Programme.objects.order_by("pk").first()
        if programme is None:
            self.handle(students=None, cohort=None)
            programme = Programme.objects.order_by("pk").first()
        assert programme is not None
        cohort, created = seed_students(count=count, cohort_slug=slug, programme=programme)
        self.stdout.write(
            f"Cohort {cohort.slug}: {cohort.students.count()} students ({created} created)."
        )
        self._open_semesters(cohort, programme)

    def _open_semesters(self, cohort: Cohort, programme: Programme) -> None:
        """Deliver every semester's modules to the cohort, with their first-session grids,
        so that marks can be imported into them (``manage.py marks_import``); running it
        again adds nothing. Semester n is taught in the cohort's year (n + 1) // 2."""
        coordinator = User.objects.filter(email=COORDINATOR).first()
        if coordinator is None:
            seed_accounts(known_password=settings.DEBUG)
            coordinator = User.objects.get(email=COORDINATOR)
        start = cohort.start_date.year
        opened = []
        for semester in range(1, programme.semester_count + 1):
            first = start + (semester - 1) // 2
            try:
                offerings_open(
                    cohort=cohort,
                    semester=semester,
                    academic_year=f"{first}-{first + 1}",
                    actor=coordinator,
                )
            except ValidationError as exc:  # a semester without modules: nothing to open
                self.stderr.write(" ".join(exc.messages))
            else:
                opened.append(f"S{semester}")
        self.stdout.write(
            _("Cohort %(slug)s: the modules of %(semesters)s are delivered, their grids open.")
            % {"slug": cohort.slug, "semesters": ", ".join(opened) or "—"}
        )
