from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from partners.filters import AgreementFilter, OrganisationFilter
from partners.models import Agreement, Organisation


def organisation_list(
    *, filters: dict[str, Any] | None = None
) -> tuple[OrganisationFilter, QuerySet[Organisation]]:
    filterset = OrganisationFilter(filters or {}, queryset=Organisation.objects.all())
    return filterset, filterset.qs


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def organisation_get_for_staff(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.prefetch_related(
            "contacts__user",
            Prefetch(
                "agreements",
                queryset=Agreement.objects.with_status().prefetch_related("parties"),
            ),
        ).get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def agreements_in_force(
    *, organisation: Organisation, day: dt.date | None = None
) -> QuerySet[Agreement]:
    """Agreements shown publicly: signed, started, not expired."""
    return (
        Agreement.objects.with_status(day)
        .filter(parties=organisation)
        .filter(current_status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRING])  # type: ignore[misc]
        .prefetch_related("parties")
        .order_by("-valid_from")
    )


def agreement_list(
    *, filters: dict[str, Any] | None = None
) -> tuple[AgreementFilter, QuerySet[Agreement]]:
    queryset = Agreement.objects.with_status().prefetch_related("parties")
    filterset = AgreementFilter(filters or {}, queryset=queryset)
    return filterset, filterset.qs


def agreement_get(*, pk: int) -> Agreement:
    try:
        return Agreement.objects.with_status().prefetch_related("parties").get(pk=pk)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
