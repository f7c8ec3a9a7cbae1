"""Read queries of an offering's materials, with their gates: the staff who manage them (a
coordinator, a lecturer of the module), the students who read them (active, in the
offering's cohort). Anyone else is answered 404: nothing says the module or the file exists."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import Student
from studies.models import Material, MaterialSection, MaterialVersion, Offering
from studies.services.materials import may_manage


def _is_student_of(user: User, offering: Offering) -> bool:
    return Student.objects.filter(
        user=user, cohort_id=offering.cohort_id, status=Student.Status.ACTIVE
    ).exists()


def offering_get_for_manager(*, user: User, pk: int) -> Offering:
    offering = get_object_or_404(Offering.objects.select_related("module", "cohort"), pk=pk)
    if not may_manage(user, offering):
        raise Http404
    return offering


def offering_get_for_student(*, user: User, pk: int) -> Offering:
    offering = get_object_or_404(Offering.objects.select_related("module", "cohort"), pk=pk)
    if not _is_student_of(user, offering):
        raise Http404
    return offering


def section_get_for_manager(*, user: User, pk: int) -> MaterialSection:
    section = get_object_or_404(
        MaterialSection.objects.select_related("offering__module", "offering__cohort"), pk=pk
    )
    if not may_manage(user, section.offering):
        raise Http404
    return section


def material_get_for_manager(*, user: User, pk: int) -> Material:
    material = get_object_or_404(
        Material.objects.select_related("section__offering__module", "section__offering__cohort"),
        pk=pk,
    )
    if not may_manage(user, material.section.offering):
        raise Http404
    return material


def section_list(*, offering: Offering) -> QuerySet[MaterialSection]:
    """The sections in order, each with its materials in order and their versions newest
    first: three queries whatever their number."""
    return (
        MaterialSection.objects.filter(offering=offering)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=Material.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("versions", queryset=MaterialVersion.objects.order_by("-number"))
                ),
            )
        )
    )


def version_get_for_download(*, user: User, pk: int) -> tuple[MaterialVersion, bool]:
    """A version ``user`` may download, and whether they get it as staff (whose session must
    have passed the second factor); 404 for anyone else."""
    version = get_object_or_404(
        MaterialVersion.objects.select_related("material__section__offering"), pk=pk
    )
    offering = version.material.section.offering
    if may_manage(user, offering):
        return version, True
    if _is_student_of(user, offering):
        return version, False
    raise Http404
