"""The identity a student's documents print (academic-rules.md §3), completed or corrected
by the coordination from the student's page: both scripts, birth, nationality."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.form_errors import attach
from enrollment.forms import ProfileForm
from enrollment.models import Student
from enrollment.services import profiles


class IdentityForm(ProfileForm):
    """The identity fields of the applicant's profile form, as they are defined there; the
    limits of what a document prints are the service's (``identity_complete``)."""

    consent = None  # type: ignore[assignment]  # the student's own consent is not asked here
    entry_rules = False  # identity_complete reports every fault at once, missing ones included

    class Meta(ProfileForm.Meta):
        fields = list(profiles.IDENTITY_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Past ProfileForm.__init__, which sets the initial value of the consent field.
        super(ProfileForm, self).__init__(*args, **kwargs)
        for name in ("birth_place_latin", "birth_place_ar", "given_names_latin", "given_names_ar"):
            # The documents print a hundred characters at most (the columns hold more).
            self.fields[name].widget.attrs["maxlength"] = str(profiles.IDENTITY_PRINTED_MAX)


@role_required(Role.COORDINATOR)
def student_identity(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    student = get_object_or_404(
        Student.objects.select_related("user", "cohort"), pk=pk, cohort__slug=slug
    )
    profile = profiles.profile_get_or_create(user=student.user)
    form = IdentityForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in profiles.IDENTITY_FIELDS}
        try:
            # A fresh copy: the form's instance already holds the values typed.
            profiles.identity_complete(
                profile=type(profile).objects.get(pk=profile.pk), actor=request.user, data=data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("The identity of %(name)s is complete: the documents can print it.")
                % {"name": student.registration_number},
            )
            return redirect("studies:cohort", slug=slug)
    return render(
        request,
        "studies/student_identity.html",
        {
            "cohort": student.cohort,
            "student": student,
            "form": form,
            "problems": profiles.identity_problems(profile) if request.method != "POST" else [],
        },
        status=400 if form.errors else 200,
    )
