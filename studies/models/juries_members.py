"""Who sat on a deliberation jury: printed on its record (PV), the president first."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studies.models.teaching import Jury

#: The longest a member's name may be to fit its line of the record.
MEMBER_NAME_MAX = 100


class JuryMember(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("President")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    jury = models.ForeignKey(
        Jury, on_delete=models.CASCADE, related_name="members", verbose_name=_("jury")
    )
    name = models.CharField(_("name"), max_length=MEMBER_NAME_MAX)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("member of the jury")
        verbose_name_plural = _("members of the jury")
        ordering = ("jury", "order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["jury"],
                condition=Q(role="president"),
                name="studies_jury_one_president",
                violation_error_message=_("This jury already has a president."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
