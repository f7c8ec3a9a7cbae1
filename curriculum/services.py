"""State changes of the curriculum: one function each, inside a transaction."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from curriculum.models import Module, ModuleLecturer, ModulePartner, Programme, TeachingUnit
from partners.models import Organisation

Direction = Literal["up", "down"]


@transaction.atomic
def programme_save(*, programme: Programme) -> Programme:
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def unit_save(*, unit: TeachingUnit) -> TeachingUnit:
    unit.programme_id = unit.semester.programme_id
    if unit.pk is None and not unit.position:
        unit.position = _next_position(TeachingUnit.objects.filter(semester=unit.semester))
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def module_save(*, module: Module) -> Module:
    """Create or update a module; a module belongs to one unit only (its code is unique in
    the programme), and a new one goes to the end of its unit."""
    module.programme_id = module.unit.programme_id
    if module.pk is None and not module.position:
        module.position = _next_position(Module.objects.filter(unit=module.unit))
    module.full_clean()
    module.save()
    return module


def module_delete(*, module: Module) -> None:
    """Delete a module nobody has been taught yet; one delivered to a cohort (its marks, its
    juries and documents name it) is refused with the cohorts named."""
    try:
        with transaction.atomic():
            module.delete()
    except ProtectedError as exc:
        users = sorted({str(getattr(o, "cohort", o)) for o in exc.protected_objects})
        raise ValidationError(
            _(
                "The module %(code)s is taught to %(cohorts)s: it cannot be deleted, since"
                " their marks and documents name it. Move it or change its title instead."
            )
            % {"code": module.code, "cohorts": ", ".join(users)}
        ) from exc


def _next_position(queryset: QuerySet[Any]) -> int:
    return int(queryset.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def module_move(*, module: Module, direction: Direction) -> None:
    """Swap a module with its neighbour in the unit (locks the unit's modules, in order)."""
    siblings = list(
        Module.objects.select_for_update()
        .filter(unit_id=module.unit_id)
        .order_by("position", "code")
    )
    _swap(siblings, module.pk, direction)


@transaction.atomic
def unit_move(*, unit: TeachingUnit, direction: Direction) -> None:
    siblings = list(
        TeachingUnit.objects.select_for_update()
        .filter(semester_id=unit.semester_id)
        .order_by("position", "code")
    )
    _swap(siblings, unit.pk, direction)


def _swap(siblings: list[Any], pk: int, direction: Direction) -> None:
    index = next(i for i, item in enumerate(siblings) if item.pk == pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def module_assign_lecturer(*, module: Module, lecturer: User, role: str) -> ModuleLecturer:
    if not lecturer.is_lecturer:
        raise ValidationError({"lecturer": _("This person does not have the lecturer role.")})
    assignment = ModuleLecturer(module=module, lecturer=lecturer, role=role)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def module_remove_lecturer(*, assignment: ModuleLecturer) -> None:
    assignment.delete()


@transaction.atomic
def module_assign_partner(
    *, module: Module, organisation: Organisation, role: str
) -> ModulePartner:
    assignment = ModulePartner(module=module, organisation=organisation, role=role)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def module_remove_partner(*, assignment: ModulePartner) -> None:
    assignment.delete()
