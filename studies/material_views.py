"""Materials of a module offering: managed by its lecturers and the coordinators, read and
downloaded by the active students of its cohort; 404 for anyone else."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    require_staff_session,
    role_required,
)
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.uploads import private_file_response
from studies import material_selectors as selectors
from studies.material_forms import MaterialForm, SectionForm, VersionForm
from studies.models import Offering
from studies.services import materials

STAFF = (Role.LECTURER, Role.COORDINATOR)


def _manage_url(offering_id: int) -> str:
    return reverse("studies:materials_manage", args=[offering_id])


def _form_page(
    request: AuthenticatedHttpRequest,
    *,
    offering: Offering,
    title: str,
    form: BaseForm,
    button: str,
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "studies/material_form.html",
        {
            "offering": offering,
            "title": title,
            "form": form,
            "button": button,
            "multipart": multipart,
            "cancel_url": _manage_url(offering.pk),
        },
        status=400 if form.errors else 200,
    )


@role_required(*STAFF)
def materials_manage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offering = selectors.offering_get_for_manager(user=request.user, pk=pk)
    return render(
        request,
        "studies/material_manage.html",
        {"offering": offering, "sections": selectors.section_list(offering=offering)},
    )


@role_required(*STAFF)
def section_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offering = selectors.offering_get_for_manager(user=request.user, pk=pk)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = materials.section_save(
                actor=request.user, offering=offering, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The section “%(title)s” was added.") % {"title": section})
            return redirect(_manage_url(offering.pk))
    return _form_page(
        request, offering=offering, title=_("Add a section"), form=form, button=_("Add")
    )


@role_required(*STAFF)
def section_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get_for_manager(user=request.user, pk=pk)
    initial = {name: getattr(section, name) for name in ("title_fr", "title_ar", "title_en")}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            materials.section_save(
                actor=request.user, offering=section.offering, section=section, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The section was renamed."))
            return redirect(_manage_url(section.offering_id))
    return _form_page(
        request,
        offering=section.offering,
        title=_("Rename the section"),
        form=form,
        button=_("Save"),
    )


@role_required(*STAFF)
@require_POST
def section_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get_for_manager(user=request.user, pk=pk)
    try:
        materials.section_move(
            actor=request.user, section=section, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_manage_url(section.offering_id) + f"#section-{section.pk}")


@role_required(*STAFF)
def section_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get_for_manager(user=request.user, pk=pk)
    count = section.materials.count()
    if not confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Delete the section “%(title)s”?") % {"title": section},
                consequences=[
                    ngettext(
                        "Its %(count)s material is deleted with it, with every version of "
                        "its file.",
                        "Its %(count)s materials are deleted with it, with every version of "
                        "their files.",
                        count,
                    )
                    % {"count": count},
                    _("The students no longer see it."),
                ],
                button=_("Delete the section"),
                cancel_url=_manage_url(section.offering_id),
                danger=True,
            ),
        )
    offering_id = section.offering_id
    title = str(section)
    materials.section_delete(actor=request.user, section=section)
    messages.success(request, _("The section “%(title)s” was deleted.") % {"title": title})
    return redirect(_manage_url(offering_id))


@role_required(*STAFF)
def material_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offering = selectors.offering_get_for_manager(user=request.user, pk=pk)
    posted = request.method == "POST"
    initial: dict[str, Any] = {"kind": "file"}
    if request.GET.get("section"):
        initial["section"] = request.GET["section"]
    form = MaterialForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        offering=offering,
        initial=initial,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            material = materials.material_add(
                actor=request.user,
                section=data["section"],
                title=data["title"],
                url=data["url"],
                upload=data["file"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request, _("“%(title)s” was added to the materials.") % {"title": material}
            )
            return redirect(_manage_url(offering.pk) + f"#material-{material.pk}")
    return _form_page(
        request,
        offering=offering,
        title=_("Add a material"),
        form=form,
        button=_("Add"),
        multipart=True,
    )


@role_required(*STAFF)
def material_version_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get_for_manager(user=request.user, pk=pk)
    posted = request.method == "POST"
    form = VersionForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            version = materials.material_version_add(
                actor=request.user, material=material, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s of “%(title)s” is the one the students now see.")
                % {"number": version.number, "title": material},
            )
            return redirect(_manage_url(material.section.offering_id) + f"#material-{material.pk}")
    return _form_page(
        request,
        offering=material.section.offering,
        title=_("A new version of “%(title)s”") % {"title": material},
        form=form,
        button=_("Upload"),
        multipart=True,
    )


@role_required(*STAFF)
@require_POST
def material_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get_for_manager(user=request.user, pk=pk)
    try:
        materials.material_move(
            actor=request.user, material=material, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_manage_url(material.section.offering_id) + f"#material-{material.pk}")


@role_required(*STAFF)
def material_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get_for_manager(user=request.user, pk=pk)
    offering_id = material.section.offering_id
    if not confirmed(request):
        count = material.versions.count()
        consequences = [_("The students no longer see it.")]
        if count:
            consequences.insert(
                0,
                ngettext(
                    "Its file is deleted (%(count)s version).",
                    "Its file is deleted (all %(count)s versions).",
                    count,
                )
                % {"count": count},
            )
        return confirmation_page(
            request,
            Confirmation(
                title=_("Delete “%(title)s”?") % {"title": material},
                consequences=consequences,
                button=_("Delete the material"),
                cancel_url=_manage_url(offering_id),
                danger=True,
            ),
        )
    title = str(material)
    materials.material_delete(actor=request.user, material=material)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect(_manage_url(offering_id))


@role_required(Role.STUDENT)
def my_materials(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offering = selectors.offering_get_for_student(user=request.user, pk=pk)
    return render(
        request,
        "studies/material_student.html",
        {"offering": offering, "sections": selectors.section_list(offering=offering)},
    )


@role_required(Role.APPLICANT)
def material_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    version, as_staff = selectors.version_get_for_download(user=request.user, pk=pk)
    if as_staff:
        require_staff_session(request)
    return private_file_response(
        version.file, filename=version.filename, content_type=materials.content_type(version)
    )
