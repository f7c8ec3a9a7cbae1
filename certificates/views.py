from __future__ import annotations

import hashlib
import io
import zipfile
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    fresh_authentication_required,
    has_role,
    require_staff_session,
    role_required,
)
from certificates import codes, documents, selectors, services
from certificates.models import ENGLISH_KINDS, Batch, Certificate, Edition, Kind
from core import signing
from core.numbers import positive_int
from core.queueing import broker_reachable
from core.uploads import private_file_response
from enrollment.models import Cohort, Student
from studies.models import Jury

MAX_UPLOAD = 20 * 1024 * 1024


# --- Public verification ----------------------------------------------------------------------
@vary_on_headers("Accept")  # one URL, HTML or JSON: caches must keep them apart
@ratelimit(key="ip", rate="60/m", block=True)
def verify(request: HttpRequest, code: str) -> HttpResponse:
    canonical = codes.normalise(code)
    certificate = (
        Certificate.objects.filter(code=canonical).select_related("superseded_by").first()
        if canonical
        else None
    )
    if certificate is None or certificate.status in (
        Certificate.Status.PENDING,
        Certificate.Status.RENDERING,
        Certificate.Status.FAILED,
    ):
        raise Http404
    if canonical != code:
        return redirect("certificates:verify", code=canonical)
    current = (
        services.current_version(certificate)
        if certificate.status == Certificate.Status.SUPERSEDED
        else None
    )
    holder = certificate.snapshot.get("holder", {})
    public: dict[str, Any] = {
        "code": certificate.code,
        "status": certificate.status if certificate.status != Certificate.Status.READY else "valid",
        "document": certificate.get_kind_display(),
        "holder": f"{holder.get('surname_latin', '').upper()} "
        f"{holder.get('given_names_latin', '')}".strip(),
        "holder_ar": f"{holder.get('surname_ar', '')} {holder.get('given_names_ar', '')}".strip(),
        "programme": certificate.snapshot.get("programme", {}).get("title_fr", ""),
        # Documents issued before the issuer was its own record printed it with the programme.
        "issuer": certificate.snapshot.get("issuer", {}).get("name_fr")
        or certificate.snapshot.get("programme", {}).get("issuer_fr", ""),
        "issued_on": certificate.snapshot.get("issued_on", ""),
        "revocation_reason": certificate.revocation_reason
        if certificate.status == Certificate.Status.REVOKED
        else "",
        "current": current.code if current else "",
        # Who signed the file kept, and when (PAdES): a visitor's copy must carry the same.
        "signed_by": certificate.signed_by,
        "signed_at": timezone.localtime(certificate.signed_at).isoformat()
        if certificate.signed_at
        else "",
        "sha256": certificate.sha256,
    }
    if certificate.holder_id is None:  # the jury record: the cohort and semester, no names
        public["cohort"] = certificate.snapshot.get("programme", {}).get("cohort_fr", "")
        public["semester"] = certificate.semester
    if certificate.kind == Kind.MODULE:
        module = certificate.snapshot.get("module", {})
        public["module"] = f"{module.get('code', '')} — {module.get('title_fr', '')}"
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(public)
    match = None
    signature_check: signing.SignatureCheck | None = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.size:
            error = _("Choose the PDF file to compare.")
        elif upload.size > MAX_UPLOAD:
            error = _("The file is too large to be one of our documents.")
        else:
            content = b"".join(upload.chunks())
            match = hashlib.sha256(content).hexdigest() == certificate.sha256
            # The signature's own verdict, whichever file it is: one byte changed breaks it.
            signature_check = signing.check_signature(content)
    return render(
        request,
        "certificates/verify.html",
        {
            "data": public,
            "match": match,
            "signature": {"signed_by": certificate.signed_by, "signed_at": certificate.signed_at},
            "signature_check": signature_check,
            "error": error,
            "can_revoke": services.can_revoke(request.user, certificate),
            "reason_max": services.REASON_MAX,
        },
        status=400 if error else 200,
    )


def verify_lookup(request: HttpRequest) -> HttpResponse:
    """The form where a code is typed."""
    code = request.GET.get("code", "").strip()
    if code:
        canonical = codes.normalise(code)
        if canonical is None:
            return render(
                request,
                "certificates/lookup.html",
                {
                    "error": _("This is not a valid code: check it and try again."),
                    "code": code[:40],
                },
                status=400,
            )
        return redirect("certificates:verify", code=canonical)
    return render(request, "certificates/lookup.html", {})


# --- Downloads --------------------------------------------------------------------------------
@role_required(Role.APPLICANT)
def download(request: AuthenticatedHttpRequest, code: str) -> FileResponse:
    certificate = (
        Certificate.objects.select_related("holder")
        # What the check and the file name read: every student downloads on results day.
        .only("code", "kind", "status", "pdf", "snapshot", "holder__user_id")
        .filter(code=code)
        .first()
    )
    own = bool(certificate and certificate.holder and certificate.holder.user_id == request.user.pk)
    if certificate is None or not (own or has_role(request.user, Role.COORDINATOR)):
        raise Http404
    if not own:
        # A coordinator's download of anyone's document (jury records included): staff use,
        # so only from a session that passed the second factor (else role_required asks it).
        require_staff_session(request)
    if certificate.status != Certificate.Status.READY or not certificate.pdf:
        raise Http404
    return private_file_response(
        certificate.pdf, filename=certificate.filename, content_type="application/pdf"
    )


@role_required(Role.STUDENT)
def my_certificates(request: AuthenticatedHttpRequest) -> HttpResponse:
    students = (
        Student.objects.filter(user=request.user)
        .select_related("cohort__programme")
        .order_by("-created_at")
    )
    if request.method != "POST":
        # The list prints nothing of the student record but its programme's semesters.
        students = students.only("cohort__programme__semester_count")
    student = students.first()
    if student is None:
        raise Http404
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        semester = request.POST.get("semester", "")
        try:
            services.certificate_request(
                student=student,
                kind=kind,
                actor=request.user,
                semester=positive_int(semester),
                edition=request.POST.get("edition") or Edition.FR,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Your request is being prepared; you will be e-mailed when it is ready.")
            )
        return redirect("certificates:mine")
    return render(
        request,
        "certificates/mine.html",
        {
            "student": student,
            # What the table prints: not the snapshot (the whole document's data, as JSON).
            "certificates": Certificate.objects.filter(holder=student)
            .only("kind", "semester", "code", "status", "issued_at", "edition")
            .order_by("-issued_at"),
            "semesters": range(1, student.cohort.programme.semester_count + 1),
            "editions": Edition.choices,
        },
    )


# --- Coordinators -----------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def batch_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    params = request.POST if request.method == "POST" else request.GET
    kind = params.get("kind") or Kind.ENROLLMENT
    if kind not in services.BATCH_KINDS:
        raise Http404
    semester = positive_int(params.get("semester") or "")
    modules = services.taught_modules(cohort)
    module = next((m for m in modules if m.pk == positive_int(params.get("module") or "")), None)
    juries = services.recordable_juries(cohort)
    jury = next((j for j in juries if j.pk == positive_int(params.get("jury") or "")), None)
    edition = params.get("edition") or Edition.FR
    if edition not in Edition.values:
        edition = Edition.FR
    jury_problem = documents.jury_record_problem(jury) if jury is not None else ""
    rows = (
        []
        if kind == Kind.JURY_RECORD
        else services.eligible_list(cohort=cohort, kind=kind, semester=semester, module=module)
    )
    if request.method == "POST":
        chosen = {n for n in map(positive_int, request.POST.getlist("student")) if n}
        exclude = {row.student.pk for row in rows if row.ok and row.student.pk not in chosen}
        try:
            batch = services.batch_start(
                cohort=cohort,
                kind=kind,
                semester=semester,
                module=module,
                jury=jury,
                actor=request.user,
                exclude=exclude,
                edition=edition if kind in ENGLISH_KINDS else Edition.FR,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if not broker_reachable():
                messages.warning(
                    request,
                    _(
                        "The work queue cannot be reached right now: the batch is recorded "
                        "and will be rendered as soon as it is back."
                    ),
                )
            return redirect("certificates:batch", pk=batch.pk)
    return render(
        request,
        "certificates/batch_new.html",
        {
            "cohort": cohort,
            "kind": kind,
            "kinds": [(k, Kind(k).label) for k in services.BATCH_KINDS],
            "semester": semester,
            "semesters": range(1, cohort.programme.semester_count + 1),
            "modules": modules,
            "module": module,
            "juries": juries,
            "jury": jury,
            "rows": rows,
            "eligible": (1 if jury and not jury_problem else 0)
            if kind == Kind.JURY_RECORD
            else sum(1 for r in rows if r.ok),
            "jury_problem": jury_problem,
            "edition": edition,
            "editions": Edition.choices if kind in ENGLISH_KINDS else (),
        },
    )


@role_required(Role.COORDINATOR)
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("cohort"), pk=pk)
    progress = services.batch_progress(batch)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"status": batch.status, **progress})
    return render(
        request,
        "certificates/batch.html",
        {
            "batch": batch,
            "progress": progress,
            "failures": batch.certificates.filter(status=Certificate.Status.FAILED).select_related(
                "holder"
            ),
            "certificates": batch.certificates.select_related("holder__user").order_by(
                "holder__registration_number"
            )[:2000],
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def certificate_retry(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, code=code)
    try:
        services.certificate_retry(certificate=certificate, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return (
        redirect("certificates:batch", pk=certificate.batch_id)
        if certificate.batch_id
        else redirect("certificates:mine")
    )


@require_POST
@role_required(Role.COORDINATOR)
@fresh_authentication_required
def certificate_revoke(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, code=code)
    try:
        services.certificate_revoke(
            certificate=certificate,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document was revoked."))
    return redirect("certificates:verify", code=certificate.code)


@role_required(Role.COORDINATOR)
def batch_zip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in batch.certificates.filter(status=Certificate.Status.READY):
            try:
                with certificate.pdf.open("rb") as handle:
                    archive.writestr(f"{certificate.code}.pdf", handle.read())
            except FileNotFoundError:
                continue
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.zip"'
    return response


@role_required(Role.COORDINATOR)
def stale_documents(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The documents issued from a version of the record that is no longer the standing one,
    with why; confirmed, they are issued again (a batch per document), which supersedes them."""
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    stale = selectors.stale_certificates(cohort=cohort)
    error = ""
    if request.method == "POST":
        # Only what the coordinator saw and confirmed, and is still to be issued again.
        seen = {n for n in map(positive_int, request.POST.getlist("certificate")) if n}
        chosen = [row.certificate for row in stale if row.certificate.pk in seen]
        if not chosen:
            messages.info(request, _("These documents have already been issued again."))
            return redirect("certificates:stale", slug=cohort.slug)
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that these documents are issued again.")
        else:
            batches = _reissue(request, cohort, chosen)
            if batches and not broker_reachable():
                messages.warning(
                    request,
                    _(
                        "The work queue cannot be reached right now: the batch is recorded "
                        "and will be rendered as soon as it is back."
                    ),
                )
            if len(batches) == 1:
                return redirect("certificates:batch", pk=batches[0].pk)
            return redirect("certificates:stale", slug=cohort.slug)
    return render(
        request,
        "certificates/stale.html",
        {"cohort": cohort, "stale": stale, "error": error},
        status=400 if error else 200,
    )


def _reissue(
    request: AuthenticatedHttpRequest, cohort: Cohort, certificates: list[Certificate]
) -> list[Batch]:
    """A batch per document (kind, semester, module or jury) for the holders of these
    certificates only; each new certificate supersedes the holder's current one."""
    groups: dict[tuple[str, int | None, int | None, int | None, str], list[Certificate]] = (
        defaultdict(list)
    )
    for certificate in certificates:
        key = (
            certificate.kind,
            certificate.semester,
            certificate.module_id,
            certificate.jury_id,
            certificate.edition,
        )
        groups[key].append(certificate)
    everyone = set(Student.objects.filter(cohort=cohort).values_list("pk", flat=True))
    batches = []
    for (kind, semester, _module, _jury, edition), group in groups.items():
        first = group[0]
        jury: Jury | None = first.jury
        try:
            batch = services.batch_start(
                cohort=cohort,
                kind=kind,
                semester=semester,
                module=first.module,
                jury=jury,
                actor=request.user,
                exclude=everyone - {c.holder_id for c in group if c.holder_id},
                edition=edition,
            )
        except ValidationError as exc:
            messages.error(
                request,
                _("%(document)s: %(problem)s")
                % {"document": first.get_kind_display(), "problem": " ".join(exc.messages)},
            )
            continue
        batches.append(batch)
        messages.success(
            request,
            ngettext(
                "%(document)s: %(count)d document is being issued again.",
                "%(document)s: %(count)d documents are being issued again.",
                len(group),
            )
            % {"document": first.get_kind_display(), "count": len(group)},
        )
    return batches
