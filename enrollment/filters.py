from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enrollment.models import Application, ApplicationDocument, Education, Intake, Student
from partners.models import Organisation

SORTS = (
    ("-submitted_at", _("Newest first")),
    ("submitted_at", _("Oldest first")),
    ("-final_score", _("Best final score")),
    ("-dossier_score", _("Best file score")),
    ("full_name", _("Name")),
    ("number", _("Number")),
)


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, e-mail or number"), method="search")
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    # One status per row: no join, so no DISTINCT (which would cost a sort of every row).
    status = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Status"),
        choices=Application.Status.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Organisation.Sector.choices)
    degree = django_filters.ChoiceFilter(
        label=_("Highest degree"), choices=Education.Degree.choices
    )
    wilaya = django_filters.CharFilter(label=_("Wilaya"), lookup_expr="iexact")
    score_min = django_filters.NumberFilter(
        label=_("Final score from"), field_name="final_score", lookup_expr="gte"
    )
    score_max = django_filters.NumberFilter(
        label=_("Final score up to"), field_name="final_score", lookup_expr="lte"
    )
    submitted_after = django_filters.DateFilter(
        label=_("Submitted from"),
        field_name="submitted_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_before = django_filters.DateFilter(
        label=_("Submitted until"),
        field_name="submitted_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reviewer = django_filters.ModelChoiceFilter(
        label=_("Reviewer"),
        queryset=User.objects.filter(Q(is_lecturer=True) | Q(is_coordinator=True)),
        field_name="reviews__reviewer",
        distinct=True,
    )
    document_status = django_filters.ChoiceFilter(
        label=_("A document is"),
        choices=ApplicationDocument.Status.choices,
        method="by_document_status",
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=("submitted_at", "final_score", "dossier_score", "full_name", "number"),
        choices=SORTS,
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Application
        fields = ["q", "intake", "status", "sector", "degree", "wilaya"]

    def search(
        self, queryset: QuerySet[Application], name: str, value: str
    ) -> QuerySet[Application]:
        """Every word (five at most) in the name, the e-mail address or the number, whatever
        its accents and case: "bénali", "BENALI" and "Benali" find "Bénali" (core.search)."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(full_name__unaccent__icontains=word)
                | Q(applicant__email__unaccent__icontains=word)
                | Q(number__iexact=word)
            )
        return queryset

    def by_document_status(
        self, queryset: QuerySet[Application], name: str, value: str
    ) -> QuerySet[Application]:
        return queryset.filter(
            pk__in=ApplicationDocument.objects.filter(status=value).values("application_id")
        )


class StudentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, e-mail or number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Student.Status.choices)

    class Meta:
        model = Student
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet[Student]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(user__last_name__unaccent__icontains=word)
                | Q(user__first_name__unaccent__icontains=word)
                | Q(user__email__unaccent__icontains=word)
                | Q(registration_number__icontains=word)
            )
        return queryset
