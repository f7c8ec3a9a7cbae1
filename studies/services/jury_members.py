"""The members of a deliberation jury, as its record (PV) prints them: one president at
most, the others members or the secretary of the session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from studies import locks
from studies.models import Jury, JuryMember


def _coordination(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


@transaction.atomic
def jury_member_add(
    *, jury: Jury, actor: User, name: str, role: str, order: int | None = None
) -> JuryMember:
    """Add a member to a jury; a second president is refused (the jury row is locked, so two
    coordinators adding one at once cannot both succeed)."""
    _coordination(actor)
    locks.lock_jury(jury.pk)
    if role not in JuryMember.Role.values:
        raise ValidationError({"role": _("Choose the role of this member.")})
    if role == JuryMember.Role.PRESIDENT and jury.members.filter(role=role).exists():
        raise ValidationError({"role": _("This jury already has a president.")})
    if order is None:
        order = (jury.members.aggregate(last=Max("order"))["last"] or 0) + 1
    member = JuryMember(jury=jury, name=" ".join(name.split()), role=role, order=order)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def jury_member_remove(*, member: JuryMember, actor: User) -> None:
    _coordination(actor)
    locks.lock_jury(member.jury_id)
    JuryMember.objects.filter(pk=member.pk).delete()
