from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core import spreadsheets
from core.form_errors import attach
from core.numbers import positive_int
from curriculum import exports, selectors, services
from curriculum.forms import (
    ModuleForm,
    ModuleLecturerForm,
    ModulePartnerForm,
    ProgrammeForm,
    UnitForm,
)
from curriculum.models import Module, ModuleLecturer, ModulePartner, Programme, TeachingUnit
from curriculum.structure import structure_problems
from partners import selectors as partner_selectors


# --- Public catalogue -------------------------------------------------------------------------
def programme_default(request: HttpRequest) -> HttpResponse:
    slug = selectors.programme_default_slug()
    if slug is None:
        raise Http404
    return programme_detail(request, slug)


def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = selectors.programme_with_structure(slug=slug)
    return render(request, "curriculum/programme_detail.html", {"programme": programme})


def module_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    module = selectors.module_get(programme_slug=slug, code=code)
    return render(
        request,
        "curriculum/module_detail.html",
        {
            "module": module,
            "unit": module.unit,
            "semester": module.unit.semester,
            "programme": module.unit.semester.programme,
        },
    )


def partner_list(request: HttpRequest) -> HttpResponse:
    filterset, organisations = partner_selectors.organisation_list(filters=request.GET)
    return render(
        request,
        "curriculum/partner_list.html",
        {"filter": filterset, "organisations": organisations},
    )


def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = partner_selectors.organisation_get(slug=slug)
    return render(
        request,
        "curriculum/partner_detail.html",
        {
            "organisation": organisation,
            "roles": selectors.partner_modules(organisation=organisation),
            "agreements": partner_selectors.agreements_in_force(organisation=organisation),
        },
    )


# --- Lecturers --------------------------------------------------------------------------------
@role_required(Role.LECTURER)
def my_modules(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "curriculum/my_modules.html",
        {"assignments": selectors.modules_taught_by(user=request.user)},
    )


# --- Coordinators: the structure ------------------------------------------------------------------
def _programme_or_404(slug: str) -> Programme:
    return get_object_or_404(Programme, slug=slug)


@role_required(Role.COORDINATOR)
def structure(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    programme = selectors.programme_with_structure(slug=slug)
    return render(
        request,
        "curriculum/staff/structure.html",
        {"programme": programme, "problems": structure_problems(programme)},
    )


@role_required(Role.COORDINATOR)
def structure_default(request: AuthenticatedHttpRequest) -> HttpResponse:
    slug = selectors.programme_default_slug()
    if slug is None:
        raise Http404
    return redirect("curriculum:structure", slug=slug)


def _checks(programme: Programme) -> dict[str, Any]:
    """The structure checks, shown on every page where the structure is edited."""
    return {"problems": structure_problems(selectors.programme_with_structure(slug=programme.slug))}


def _save_with_service(form: BaseForm, save: Any) -> bool:
    """Run a service; its ValidationError lands on the form instead of a 500."""
    try:
        save()
    except ValidationError as exc:
        attach(form, exc)
        return False
    return True


@role_required(Role.COORDINATOR)
def programme_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    programme = _programme_or_404(slug)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_with_service(form, lambda: services.programme_save(programme=form.instance))
    ):
        messages.success(request, _("The programme was saved."))
        return redirect("curriculum:structure", slug=programme.slug)
    return render(
        request,
        "curriculum/staff/form.html",
        {
            "form": form,
            "programme": programme,
            "title": _("Programme and rules"),
            **_checks(programme),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def unit_edit(request: AuthenticatedHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = _programme_or_404(slug)
    unit = get_object_or_404(TeachingUnit, pk=pk, programme=programme) if pk else None
    form = UnitForm(request.POST or None, instance=unit, programme=programme)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_with_service(form, lambda: services.unit_save(unit=form.instance))
    ):
        messages.success(request, _("The unit %(code)s was saved.") % {"code": form.instance.code})
        return redirect("curriculum:structure", slug=programme.slug)
    title = _("Edit the unit %(code)s") % {"code": unit.code} if unit else _("Add a teaching unit")
    return render(
        request,
        "curriculum/staff/form.html",
        {"form": form, "programme": programme, "title": title, **_checks(programme)},
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def module_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int | None = None
) -> HttpResponse:
    programme = _programme_or_404(slug)
    module = get_object_or_404(Module, pk=pk, programme=programme) if pk else None
    initial = {}
    if module is None and (unit := positive_int(request.GET.get("unit"))):
        initial["unit"] = unit
    form = ModuleForm(request.POST or None, instance=module, programme=programme, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_with_service(form, lambda: services.module_save(module=form.instance))
    ):
        messages.success(
            request, _("The module %(code)s was saved.") % {"code": form.instance.code}
        )
        if module is None:
            return redirect("curriculum:module_edit", slug=programme.slug, pk=form.instance.pk)
        return redirect("curriculum:structure", slug=programme.slug)
    context: dict[str, Any] = {
        "form": form,
        "programme": programme,
        "module": module,
        **_checks(programme),
    }
    if module is not None:
        module = selectors.module_get_by_pk(pk=module.pk)
        context.update(
            module=module,
            lecturer_form=ModuleLecturerForm(prefix="lecturer"),
            partner_form=ModulePartnerForm(prefix="partner"),
        )
    return render(
        request, "curriculum/staff/module_form.html", context, status=400 if form.errors else 200
    )


@require_POST
@role_required(Role.COORDINATOR)
def module_delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk, programme__slug=slug)
    try:
        services.module_delete(module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The module %(code)s was deleted.") % {"code": module.code})
    return redirect("curriculum:structure", slug=slug)


@require_POST
@role_required(Role.COORDINATOR)
def module_move(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk, programme__slug=slug)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.module_move(module=module, direction=direction)  # type: ignore[arg-type]
    return redirect(f"{_structure_url(slug)}#unit-{module.unit_id}")


@require_POST
@role_required(Role.COORDINATOR)
def unit_move(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    unit = get_object_or_404(TeachingUnit, pk=pk, programme__slug=slug)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.unit_move(unit=unit, direction=direction)  # type: ignore[arg-type]
    return redirect(f"{_structure_url(slug)}#unit-{unit.pk}")


def _structure_url(slug: str) -> str:
    from django.urls import reverse

    return reverse("curriculum:structure", kwargs={"slug": slug})


@require_POST
@role_required(Role.COORDINATOR)
def module_add_lecturer(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk, programme__slug=slug)
    form = ModuleLecturerForm(request.POST, prefix="lecturer")
    if form.is_valid():
        ok = _save_with_service(
            form,
            lambda: services.module_assign_lecturer(
                module=module,
                lecturer=form.cleaned_data["lecturer"],
                role=form.cleaned_data["role"],
            ),
        )
        if ok:
            messages.success(request, _("The lecturer was added."))
            return redirect("curriculum:module_edit", slug=slug, pk=pk)
    return _module_page_with_errors(request, module, lecturer_form=form)


@require_POST
@role_required(Role.COORDINATOR)
def module_add_partner(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk, programme__slug=slug)
    form = ModulePartnerForm(request.POST, prefix="partner")
    if form.is_valid():
        ok = _save_with_service(
            form,
            lambda: services.module_assign_partner(
                module=module,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            ),
        )
        if ok:
            messages.success(request, _("The partner was added."))
            return redirect("curriculum:module_edit", slug=slug, pk=pk)
    return _module_page_with_errors(request, module, partner_form=form)


def _module_page_with_errors(
    request: HttpRequest,
    module: Module,
    lecturer_form: ModuleLecturerForm | None = None,
    partner_form: ModulePartnerForm | None = None,
) -> HttpResponse:
    programme = module.unit.semester.programme
    return render(
        request,
        "curriculum/staff/module_form.html",
        {
            "form": ModuleForm(instance=module, programme=programme),
            "programme": programme,
            "module": selectors.module_get_by_pk(pk=module.pk),
            "lecturer_form": lecturer_form or ModuleLecturerForm(prefix="lecturer"),
            "partner_form": partner_form or ModulePartnerForm(prefix="partner"),
            **_checks(programme),
        },
        status=400,
    )


@require_POST
@role_required(Role.COORDINATOR)
def module_remove_lecturer(
    request: HttpRequest, slug: str, pk: int, assignment: int
) -> HttpResponse:
    item = get_object_or_404(
        ModuleLecturer, pk=assignment, module_id=pk, module__programme__slug=slug
    )
    services.module_remove_lecturer(assignment=item)
    return redirect("curriculum:module_edit", slug=slug, pk=pk)


@require_POST
@role_required(Role.COORDINATOR)
def module_remove_partner(
    request: HttpRequest, slug: str, pk: int, assignment: int
) -> HttpResponse:
    item = get_object_or_404(
        ModulePartner, pk=assignment, module_id=pk, module__programme__slug=slug
    )
    services.module_remove_partner(assignment=item)
    return redirect("curriculum:module_edit", slug=slug, pk=pk)


@role_required(Role.COORDINATOR)
def export_maquette(request: AuthenticatedHttpRequest, slug: str, fmt: str) -> HttpResponse:
    programme = selectors.programme_with_structure(slug=slug)
    if fmt == "csv":
        response = HttpResponse(
            exports.maquette_csv(programme, sep=request.GET.get("sep")),
            content_type=spreadsheets.CSV_TYPE,
        )
    else:
        response = HttpResponse(
            exports.maquette_xlsx(programme),
            content_type=spreadsheets.XLSX_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="maquette-{programme.slug}.{fmt}"'
    return response
