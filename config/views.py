from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import selectors as account_selectors
from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required, roles_of
from accounts.models import User
from accounts.services import user_set_preferred_language
from config import health
from enrollment.models import Cohort, Student
from enrollment.selectors import (
    applications_of,
    intake_links_open,
    intakes_open,
    student_records_of,
)
from finance import selectors as finance_selectors
from partners.selectors import organisation_list
from studies.models import Offering


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's own space: roles, applications and offers, student records, fees, account.
    A sponsor organisation's contact person (no other role) lands on the sponsor's space."""
    user = request.user
    roles = roles_of(user)
    if roles == {Role.APPLICANT, Role.SPONSOR} and finance_selectors.sponsor_contact_of(user):
        return redirect("finance:sponsor_home")
    records = student_records_of(user=user)
    return render(
        request,
        "config/me.html",
        {
            "roles": sorted(roles, key=list(Role).index),
            "applications": applications_of(user=user),
            "student_records": records,
            "open_intakes": intake_links_open(),
            # A student always has a fees page (their schedule); an applicant once invoiced.
            "has_fees": bool(records) or finance_selectors.application_fees_exist(user=user),
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    _, organisations = organisation_list()
    return render(
        request, "core/home.html", {"organisations": organisations, "intakes": intakes_open()}
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the site can do its work; 503 when the database, the broker or every worker
    is down. A cache outage is reported ("degraded") but the site goes on without it."""
    alive = health.workers_alive()
    checks = {
        "database": "ok" if health.database_ok() else "down",
        "broker": "ok" if health.broker_ok() else "down",
        "cache": "ok" if health.cache_ok() else "down",
        "workers": "ok" if alive else "down",
    }
    down = sorted(name for name, state in checks.items() if state != "ok")
    failing = [name for name in down if name != "cache"]
    body = {
        "status": "down" if failing else ("degraded" if down else "ok"),
        "checks": checks,
        "down": down,
        "workers_alive": alive,
        "queue_depth": health.queue_depth(),
    }
    return JsonResponse(body, status=503 if failing else 200)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher, which also remembers the choice on the account (for e-mails)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and check_for_language(language)
    ):
        user_set_preferred_language(user=request.user, language=language)
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may come from them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _cohorts_studying() -> QuerySet[Cohort]:
    """The cohorts with one active student at least, newest first: the staff home links to
    their module evaluations."""
    active = Student.objects.filter(cohort=OuterRef("pk"), status=Student.Status.ACTIVE)
    return Cohort.objects.filter(Exists(active)).order_by("-start_date")


def _offerings_taught(user: User) -> QuerySet[Offering]:
    """The offerings ``user`` is a lecturer of, in the cohorts still studying: each gets the
    link to its materials on the staff home."""
    active = Student.objects.filter(cohort=OuterRef("cohort"), status=Student.Status.ACTIVE)
    return (
        Offering.objects.filter(Exists(active), lecturers=user)
        .select_related("module", "cohort")
        .order_by("-cohort__start_date", "semester", "module__code")
    )


@role_required(Role.LECTURER, Role.COORDINATOR, Role.FINANCE)
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff space's first page: every app's pages for the roles of the person."""
    coordinator = has_role(request.user, Role.COORDINATOR)
    teaches = has_role(request.user, Role.LECTURER, Role.COORDINATOR)
    unsent = account_selectors.outgoing_email_problems() if coordinator else 0
    return render(
        request,
        "config/staff_home.html",
        {
            "unsent_emails": unsent,
            "is_finance": has_role(request.user, Role.FINANCE),
            "teaches": teaches,
            "studying_cohorts": _cohorts_studying() if coordinator else [],
            "offerings_taught": _offerings_taught(request.user) if teaches else [],
        },
    )
