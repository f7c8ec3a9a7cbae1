"""Rooms where sessions take place: at TEMA, at the WTC or at a partner's site (#14)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from studies.models import Room


@transaction.atomic
def room_save(*, room: Room, actor: User) -> Room:
    """Add or change a room (coordinators). A room at a partner's site names the partner;
    one at TEMA or the WTC names none. A room taken out of use keeps its sessions but no new
    one is booked in it."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    room.name = " ".join(room.name.split())
    if room.site == Room.Site.PARTNER and room.organisation_id is None:
        raise ValidationError({"organisation": _("Choose the partner whose site this is.")})
    if room.site != Room.Site.PARTNER:
        room.organisation = None
    room.full_clean()
    room.save()
    return room
