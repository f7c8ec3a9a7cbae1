"""What a person is told in the application: creating notifications, reading them, muting
their e-mails per kind.

Every e-mail the system sends goes through ``accounts.services.email_queue`` (or
``email_store``); there, each recipient who has an account gets a ``Notification`` of the
e-mail's kind, and a recipient who muted that kind gets no e-mail (the mandatory kinds are
always e-mailed). A caller names the kind (``kind=``); an e-mail whose caller names none
is given a mandatory kind derived from the page it links to (``default_kind``), so that
nothing is muted by a guess. Announcements to many people use ``notify_all``: a few
queries whatever the number of recipients.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.filters import NotificationFilter
from accounts.models import Notification, NotificationPreference, OutgoingEmail, User
from core import queueing

Kind = Notification.Kind

#: The kind of an e-mail whose caller names none, by the URL namespace of the page it links
#: to (finance's e-mails and the admissions' are sent by code this module does not edit).
#: Only mandatory kinds: an unnamed e-mail is never silently muted. Anything else: ACCOUNT.
KIND_BY_NAMESPACE: dict[str, str] = {
    "enrollment": Kind.ADMISSIONS,
    "finance": Kind.PAYMENTS,
}
#: E-mails of many recipients are sent by one task per this many messages.
SEND_BATCH = 200


def is_mandatory(kind: str) -> bool:
    return kind in Notification.MANDATORY


def default_kind(link: str) -> str:
    """The kind of an e-mail that names none: from the page it links to (always mandatory)."""
    path = link.removeprefix(settings.SITE_URL)
    if path.startswith("/"):
        try:
            namespace = resolve(path.split("?", 1)[0]).namespace
        except Resolver404:
            namespace = ""
        if namespace in KIND_BY_NAMESPACE:
            return KIND_BY_NAMESPACE[namespace]
    return Kind.ACCOUNT


#: Pages whose address is a one-time secret (a password to choose, an address to confirm):
#: such a link is never kept on a notification, it must not outlive the e-mail.
SECRET_LINKS = frozenset({"account_reset_password_from_key", "account_confirm_email"})


def _local_link(link: str) -> str:
    """A link kept on a notification: the site's path (the e-mail carries the full URL)."""
    if link.startswith(settings.SITE_URL):
        link = link[len(settings.SITE_URL) :] or "/"
    if not link.startswith("/"):
        return ""
    try:
        if resolve(link.split("?", 1)[0]).url_name in SECRET_LINKS:
            return ""
    except Resolver404:
        pass
    return link[:500]


# --- Muting ----------------------------------------------------------------------------------
def muted_kinds(user: User) -> set[str]:
    return set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))


@transaction.atomic
def preferences_set(*, user: User, emailed: Iterable[str]) -> set[str]:
    """Keep e-mailing the kinds in ``emailed``, mute every other one that may be muted; the
    mandatory kinds cannot be muted (a ValidationError names them). Returns the muted kinds."""
    wanted = set(emailed)
    unknown = wanted - set(Kind.values)
    if unknown:
        raise ValidationError(_("Unknown kind of notification."))
    muted = set(Kind.values) - wanted
    mandatory = muted & Notification.MANDATORY
    if mandatory:
        raise ValidationError(
            _("These are always e-mailed and cannot be turned off: %(kinds)s.")
            % {"kinds": ", ".join(str(Kind(kind).label) for kind in sorted(mandatory))}
        )
    NotificationPreference.objects.filter(user=user).exclude(kind__in=muted).delete()
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, kind=kind) for kind in sorted(muted)],
        ignore_conflicts=True,
    )
    return muted


# --- Creating ----------------------------------------------------------------------------------
def notify(
    user: User,
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    email: EmailMessage | None = None,
) -> Notification:
    """Tell ``user`` in the application and, with ``email`` (a rendered message to them),
    by e-mail too unless they muted ``kind`` (sent after commit, like ``email_queue``)."""
    (notification,) = notify_all(
        kind=kind, drafts=[Draft(user=user, subject=subject, body=body, link=link, email=email)]
    )
    return notification


@dataclass(frozen=True)
class Draft:
    """One person's notification, with the e-mail that goes with it (None: in the app only)."""

    user: User
    subject: str
    body: str = ""
    link: str = ""
    email: EmailMessage | None = None


def notify_all(*, kind: str, drafts: Sequence[Draft]) -> list[Notification]:
    """Create the notifications of ``drafts`` and store their e-mails (but those of people
    who muted ``kind``), sent after commit by batches: four queries whatever their number."""
    from accounts.services import outgoing_email_row
    from accounts.tasks import send_outgoing_emails

    if kind not in Kind.values:
        raise ValueError(f"Unknown kind of notification: {kind}")
    muted: set[int] = set()
    if not is_mandatory(kind) and any(draft.email is not None for draft in drafts):
        muted = set(
            NotificationPreference.objects.filter(
                kind=kind, user_id__in=[draft.user.pk for draft in drafts]
            ).values_list("user_id", flat=True)
        )
    with transaction.atomic():
        emailed = [d for d in drafts if d.email is not None and d.user.pk not in muted]
        rows = OutgoingEmail.objects.bulk_create(
            [outgoing_email_row(d.email) for d in emailed if d.email is not None]
        )
        by_draft = {id(draft): row for draft, row in zip(emailed, rows, strict=True)}
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    user=draft.user,
                    kind=kind,
                    subject=" ".join(draft.subject.split())[:300],
                    body=draft.body[:10000],
                    link=_local_link(draft.link),
                    email=by_draft.get(id(draft)),
                )
                for draft in drafts
            ]
        )
        ids = [row.pk for row in rows]
        for start in range(0, len(ids), SEND_BATCH):
            queueing.after_commit(send_outgoing_emails, ids[start : start + SEND_BATCH])
    return notifications


@dataclass(frozen=True)
class Recipients:
    """Who an e-mail goes to: the addresses kept (not muted) and the accounts to notify."""

    kind: str
    addresses: list[str]
    users: Sequence[User]


def recipients_of(message: EmailMessage, *, kind: str | None) -> Recipients:
    """The hook of ``email_store``: the e-mail's kind, the accounts of its recipients (one
    query, with whether each muted the kind) and the addresses still to e-mail."""
    link = getattr(message, "link_url", "")
    resolved = kind if kind is not None else default_kind(link)
    if resolved not in Kind.values:
        raise ValueError(f"Unknown kind of notification: {resolved}")
    addresses = [str(address) for address in message.to]
    plain = {parseaddr(address)[1].lower() for address in addresses}
    users: list[User] = list(
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=plain, is_active=True)
        .annotate(
            muted=Exists(NotificationPreference.objects.filter(user=OuterRef("pk"), kind=resolved))
        )
    )
    silenced = (
        set()
        if is_mandatory(resolved)
        else {user.email.lower() for user in users if getattr(user, "muted", False)}
    )
    kept = [a for a in addresses if parseaddr(a)[1].lower() not in silenced]
    return Recipients(kind=resolved, addresses=kept, users=users)


def record_for_email(
    recipients: Recipients,
    message: EmailMessage,
    outgoing: OutgoingEmail | None,
    *,
    show_body: bool = True,
) -> list[Notification]:
    """The notifications of a stored e-mail: its subject, its message (the text the caller
    wrote, without the greeting and footer when the layout of ``accounts.emails`` made it)
    and its link. ``show_body=False`` keeps the subject only (a one-time link in the body
    must not outlive the e-mail)."""
    if not recipients.users:
        return []
    emailed = {parseaddr(a)[1].lower() for a in recipients.addresses}
    body = str(getattr(message, "content", message.body)) if show_body else ""
    link = str(getattr(message, "link_url", "")) if show_body else ""
    return Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=recipients.kind,
                subject=" ".join(str(message.subject).split())[:300],
                body=body[:10000],
                link=_local_link(link),
                email=outgoing if user.email.lower() in emailed else None,
            )
            for user in recipients.users
        ]
    )


# --- Reading -----------------------------------------------------------------------------------
def notification_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> tuple[NotificationFilter, QuerySet[Notification]]:
    """A person's own notifications, newest first (filtered by kind, or the unread only)."""
    filterset = NotificationFilter(
        filters, queryset=Notification.objects.filter(user=user).order_by("-created_at", "-pk")
    )
    return filterset, filterset.qs


def unread_count(user: User) -> int:
    """The number shown in the page header, counted once per request: the user loaded by the
    authentication backend carries it (``accounts.backends``); otherwise one query, kept."""
    count = getattr(user, "unread_notifications", None)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        user.unread_notifications = count  # type: ignore[attr-defined]
    return int(count)


def unread_subquery() -> Coalesce:
    """The unread count of the user of the outer query, for ``annotate``."""
    counted = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def notification_open(*, user: User, pk: int) -> Notification:
    """Mark one of the person's own notifications read (404 for anyone else's)."""
    notification = get_object_or_404(Notification, pk=pk, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
