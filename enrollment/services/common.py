from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.emails import absolute_url, email_compose
from accounts.models import User
from accounts.services import email_queue
from enrollment import locks
from enrollment.models import ApplicantProfile, Application, ApplicationEvent, Counter

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def next_number(*, key: str, prefix: str, width: int = 4) -> str:
    """Take the next number of a sequence under a row lock; a number is never reused."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        counter = locks.lock_counter(key)
        counter.last += 1
        counter.save(update_fields=["last"])
        return f"{prefix}-{counter.last:0{width}d}"


def record(
    application: Application,
    *,
    actor: User | None,
    before: str = "",
    after: str = "",
    kind: str = ApplicationEvent.Kind.STATUS,
    code: str = "",
    params: dict[str, Any] | None = None,
    note: str = "",
) -> ApplicationEvent:
    """Write one history event: codes and parameters (rendered in the reader's language by
    ``enrollment.history``), and ``note`` only for what a person wrote."""
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        before=before,
        after=after,
        kind=kind,
        code=code,
        params=params or {},
        note=note[:4000],
    )


def set_status(
    application: Application,
    status: str,
    *,
    actor: User | None,
    note: str = "",
    code: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    before = application.status
    if before == status:
        return
    application.status = status
    application.save(update_fields=["status", "updated_at"])
    record(
        application, actor=actor, before=before, after=status, note=note, code=code, params=params
    )


#: The words of the button of each e-mail (the page is the application's, or the documents
#: step of a draft); any other e-mail says "See your application".
EMAIL_LINK_LABELS: dict[str, StrOrPromise] = {
    "submitted": gettext_lazy("Follow your application"),
    "document_rejected": gettext_lazy("Replace the document"),
    "reminder_replacement": gettext_lazy("Replace the document"),
    "offer": gettext_lazy("Answer the offer"),
    "reminder_offer": gettext_lazy("Answer the offer"),
    "reminder_documents": gettext_lazy("Complete your application"),
}
#: E-mails about a draft lead to the step where it is completed.
EMAIL_STEPS = {"reminder_documents": "documents"}


def notify(
    application: Application,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
) -> None:
    """E-mail the applicant, in the language of the application, after commit (Celery):
    a greeting with their name, the message, the direct link to their application, in text
    and HTML, with the coordination as Reply-To (the sender is a no-reply address).
    ``attachments``: (file name, content, MIME type), e.g. an interview's ``.ics``."""
    language = application.language or application.applicant.preferred_language or "fr"
    step = EMAIL_STEPS.get(template)
    path = (
        reverse("enrollment:step", kwargs={"number": application.number, "step": step})
        if step
        else reverse("enrollment:application", kwargs={"number": application.number})
    )
    with translation.override(language):
        full = {
            "application": application,
            "applicant": application.applicant,
            "site_url": settings.SITE_URL,
            **(context or {}),
        }
        subject = render_to_string(f"enrollment/email/{template}_subject.txt", full)
        message = email_compose(
            to=[application.applicant.email],
            subject=subject,
            content=render_to_string(f"enrollment/email/{template}.txt", full),
            name=_addressee(application),
            link_url=absolute_url(path),
            link_label=str(EMAIL_LINK_LABELS.get(template, gettext_lazy("See your application"))),
            reply_to=[settings.COORDINATION_EMAIL],
        )
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    email_queue(message)


def _addressee(application: Application) -> str:
    """The applicant's name as the greeting says it: in Arabic script for an Arabic e-mail
    when the profile has it, else in Latin script; the account's name without a profile."""
    profile = ApplicantProfile.objects.filter(user_id=application.applicant_id).first()
    if profile is not None:
        arabic = f"{profile.given_names_ar} {profile.surname_ar}".strip()
        if translation.get_language_bidi() and arabic:
            return arabic
        latin = f"{profile.given_names_latin} {profile.surname_latin}".strip()
        if latin:
            return latin
    return application.applicant.get_full_name()
