from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.forms import DATETIME
from enrollment.models import Cohort
from studies.models import Question
from studies.services.evaluations import TEXT_MAX_LENGTH

LIKERT_CHOICES = [
    (1, _("1 — strongly disagree")),
    (2, _("2 — disagree")),
    (3, _("3 — neither agree nor disagree")),
    (4, _("4 — agree")),
    (5, _("5 — strongly agree")),
]


class QuestionnaireForm(forms.Form):
    semester = forms.TypedChoiceField(label=_("Semester"), coerce=int)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DATETIME)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        semester = self.fields["semester"]
        assert isinstance(semester, forms.TypedChoiceField)
        semester.choices = [(n, f"S{n}") for n in range(1, cohort.programme.semester_count + 1)]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["kind", "text_fr", "text_ar", "text_en", "position", "required"]
        widgets = {"text_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"})}


class EvaluationAnswerForm(forms.Form):
    """One field per question (``q<pk>``), labelled in the reader's language."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = question.tr("text")
            if question.kind == Question.Kind.LIKERT:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=label,
                    choices=LIKERT_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=question.required,
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[f"q{question.pk}"] = forms.CharField(
                    label=label,
                    required=question.required,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    def answers(self) -> dict[int, int | str | None]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
