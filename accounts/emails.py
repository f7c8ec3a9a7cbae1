"""The layout the site's e-mails share: a greeting with the person's name, the message, the
direct link to the page concerned, who to write to, and the site's name — as plain text and
as HTML (inline CSS only, right-to-left in Arabic). Rendered in the active language: callers
wrap it in ``translation.override`` with the reader's language."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """A path of the site as the link an e-mail carries (``SITE_URL`` + path)."""
    return f"{settings.SITE_URL}{path}"


class ComposedEmail(EmailMultiAlternatives):
    """A message in the shared layout that remembers what its caller wrote (``content``) and
    its link: the in-app notification of the e-mail shows those, without the greeting and
    the footer (``accounts.notifications``)."""

    content: str = ""
    link_url: str = ""


def email_compose(
    *,
    to: list[str],
    subject: str,
    content: str,
    name: str = "",
    link_url: str = "",
    link_label: str = "",
    reply_to: list[str] | None = None,
) -> ComposedEmail:
    """A message in the shared layout. ``content`` is plain text (paragraphs separated by a
    blank line); the HTML part escapes it and makes its addresses links. With ``reply_to``,
    the message names that address as the one to write to."""
    context = {
        "subject": subject,
        "name": name,
        "content": content.strip(),
        "link_url": link_url,
        "link_label": link_label,
        "write_to": parseaddr(reply_to[0])[1] if reply_to else "",
        "site_name": str(settings.SITE_NAME),
        "site_url": settings.SITE_URL,
    }
    message = ComposedEmail(
        subject=" ".join(subject.split()),
        body=render_to_string("accounts/email/base.txt", context),
        to=to,
        reply_to=reply_to,
    )
    message.content = content.strip()
    message.link_url = link_url
    message.attach_alternative(render_to_string("accounts/email/base.html", context), "text/html")
    return message
