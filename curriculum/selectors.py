from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from curriculum.models import (
    Module,
    ModuleLecturer,
    ModulePartner,
    Programme,
    Semester,
    TeachingUnit,
)
from partners.models import Organisation


def _module_queryset() -> QuerySet[Module]:
    return Module.objects.prefetch_related(
        Prefetch("partner_roles", queryset=ModulePartner.objects.select_related("organisation")),
        Prefetch("lecturer_roles", queryset=ModuleLecturer.objects.select_related("lecturer")),
    ).order_by("position", "code")


def programme_with_structure(*, slug: str | None = None) -> Programme:
    """The programme with semesters → units → modules → partners and lecturers, in a fixed
    number of queries whatever its size."""
    queryset = Programme.objects.select_related("diploma_authority").prefetch_related(
        Prefetch(
            "semesters",
            queryset=Semester.objects.order_by("number").prefetch_related(
                Prefetch(
                    "units",
                    queryset=TeachingUnit.objects.order_by("position", "code").prefetch_related(
                        Prefetch("modules", queryset=_module_queryset())
                    ),
                )
            ),
        )
    )
    programme = (queryset.filter(slug=slug) if slug else queryset.order_by("pk")).first()
    if programme is None:
        raise Http404
    return programme


def programme_default_slug() -> str | None:
    return Programme.objects.order_by("pk").values_list("slug", flat=True).first()


def module_get(*, programme_slug: str, code: str) -> Module:
    module = (
        _module_queryset()
        .select_related("unit__semester__programme")
        .filter(programme__slug=programme_slug, code=code)
        .first()
    )
    if module is None:
        raise Http404
    return module


def module_get_by_pk(*, pk: int) -> Module:
    module = _module_queryset().select_related("unit__semester__programme").filter(pk=pk).first()
    if module is None:
        raise Http404
    return module


def unit_get_by_pk(*, pk: int) -> TeachingUnit:
    unit = TeachingUnit.objects.select_related("semester__programme").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def modules_taught_by(*, user: User) -> QuerySet[ModuleLecturer]:
    return (
        ModuleLecturer.objects.filter(lecturer=user)
        .select_related("module__unit__semester__programme")
        .order_by("module__unit__semester__number", "module__unit__position", "module__position")
    )


def partner_modules(*, organisation: Organisation) -> QuerySet[ModulePartner]:
    return (
        ModulePartner.objects.filter(organisation=organisation)
        .select_related("module__unit__semester__programme")
        .order_by("module__unit__semester__number", "module__unit__position", "module__position")
    )
