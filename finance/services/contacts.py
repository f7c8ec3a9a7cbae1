"""Sponsor contacts: the person at an organisation who receives its invoices, reminders and
statements, and the account that lets them read their organisation's statement.

An account given to a contact is a user with ``is_sponsor`` and no other role: the sponsor's
space shows one organisation's figures, and a person who is also a student or staff would mix
two spaces under one log-in, so such an address is refused (the contact gives another one).
The contact chooses a password through allauth's own reset link (its token, its page), sent
in the contact's language. Every change writes a ``MoneyEvent`` of kind ``contact``.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, roles_of
from accounts.emails import absolute_url, email_compose
from accounts.models import User
from accounts.services import email_queue
from finance.models import MoneyEvent, SponsorContact
from finance.services.common import event, require_finance
from partners.models import Organisation


def _values(contact: SponsorContact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "email": contact.email,
        "language": contact.language,
        "account": contact.user.email if contact.user is not None else "",
    }


def _record(*, actor: User, contact: SponsorContact, action: str, before: dict[str, Any]) -> None:
    event(
        MoneyEvent.Kind.SPONSOR_CONTACT,
        actor=actor,
        organisation=contact.organisation,
        before=before,
        after={"action": action, **(_values(contact) if action != "removed" else {})},
    )


def _lock(contact: SponsorContact) -> SponsorContact:
    found = (
        SponsorContact.objects.select_for_update(of=("self",))
        .select_related("organisation", "user")
        .filter(pk=contact.pk)
        .first()
    )
    if found is None:
        raise ValidationError(_("This contact was removed in the meantime."))
    return found


def _already_listed(organisation: Organisation) -> ValidationError:
    return ValidationError(
        {
            "email": _("This address is already a contact of %(organisation)s.")
            % {"organisation": organisation}
        }
    )


def contact_add(
    *, actor: AnyUser, organisation: Organisation, name: str, email: str, language: str
) -> SponsorContact:
    """Add the person who receives the organisation's invoices, reminders and statements;
    an address is listed once per organisation."""
    user = require_finance(actor)
    contact = SponsorContact(
        organisation=organisation,
        name=" ".join(name.split()),
        email=email.strip().lower(),
        language=language,
        created_by=user,
    )
    contact.full_clean(exclude=["user"], validate_constraints=False)
    if SponsorContact.objects.filter(organisation=organisation, email__iexact=contact.email):
        raise _already_listed(organisation)
    try:
        with transaction.atomic():
            contact.save()
            _record(actor=user, contact=contact, action="added", before={})
    except IntegrityError:  # the same address added at the same moment by someone else
        raise _already_listed(organisation) from None
    return contact


def contact_remove(*, actor: AnyUser, contact: SponsorContact) -> None:
    """Remove a contact; their account, if any, loses the sponsor's space first."""
    user = require_finance(actor)
    with transaction.atomic():
        locked = _lock(contact)
        before = _values(locked)
        if locked.user is not None:
            _revoke(locked)
        _record(actor=user, contact=locked, action="removed", before=before)
        locked.delete()


def _password_link(user: User) -> str:
    """allauth's "choose a new password" link for this user (its token generator, its page):
    valid ``PASSWORD_RESET_TIMEOUT`` seconds, and spent once a password is set."""
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return absolute_url(path)


def _send_welcome(contact: SponsorContact, user: User) -> None:
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    with translation.override(contact.language):
        subject = _("Your account to follow the fees of %(organisation)s") % {
            "organisation": contact.organisation
        }
        content = "\n\n".join(
            [
                _(
                    "The finance office of the master gave you an account: you will see the "
                    "statement of %(organisation)s — its participants, invoices, payments and "
                    "balance — and download its documents."
                )
                % {"organisation": contact.organisation},
                _(
                    "Choose your password with the button below (the link is valid for "
                    "%(days)s days); then log in with this address. Once the link has expired, "
                    "use “Forgot your password?” on the log-in page."
                )
                % {"days": days},
            ]
        )
        message = email_compose(
            to=[user.email],
            subject=subject,
            content=content,
            name=contact.name,
            link_url=_password_link(user),
            link_label=_("Choose my password"),
            reply_to=[settings.COORDINATION_EMAIL],
        )
    email_queue(message)


def contact_account_give(*, actor: AnyUser, contact: SponsorContact) -> SponsorContact:
    """Give the contact an account that reads their organisation's statement: a new user
    with ``is_sponsor`` (or an existing one with no role but applicant's), linked to the
    contact, e-mailed a link to choose their password. An address whose account holds
    another role, or is already another contact's, is refused."""
    finance = require_finance(actor)
    try:
        with transaction.atomic():
            locked = _lock(contact)
            if locked.user is not None:
                raise ValidationError(_("%(name)s already has an account.") % {"name": locked.name})
            before = _values(locked)
            user = User.objects.select_for_update().filter(email__iexact=locked.email).first()
            if user is None:
                user = User(
                    email=locked.email,
                    first_name=locked.name[:150],
                    preferred_language=locked.language,
                    is_sponsor=True,
                )
                user.set_unusable_password()  # chosen through the link of the e-mail
                user.save()
            else:
                _check_may_link(user)
                user.is_sponsor = True
                user.save(update_fields=["is_sponsor"])
            # Finance vouches for the address, and the link proves it is read.
            EmailAddress.objects.get_or_create(
                user=user, email__iexact=user.email,
                defaults={"email": user.email, "verified": True, "primary": True},
            )  # fmt: skip
            locked.user = user
            locked.save(update_fields=["user"])
            _record(actor=finance, contact=locked, action="account_given", before=before)
            _send_welcome(locked, user)
    except IntegrityError:  # the same address given an account at the same moment
        raise ValidationError(
            _("This address was given an account at the same moment; reload the page.")
        ) from None
    return locked


def _check_may_link(user: User) -> None:
    other = sorted(
        (role for role in roles_of(user) if role not in (Role.APPLICANT, Role.SPONSOR)),
        key=list(Role).index,
    )
    if not user.is_active:
        raise ValidationError(
            _("The account of this address is deactivated: give the contact another address.")
        )
    if other:
        raise ValidationError(
            _(
                "This address belongs to an account with another role (%(roles)s): a sponsor's "
                "account sees only its organisation. Give the contact another address."
            )
            % {"roles": ", ".join(role.label for role in other)}
        )
    taken = SponsorContact.objects.filter(user=user).select_related("organisation").first()
    if taken is not None:
        raise ValidationError(
            _("This address is already the account of %(name)s, contact of %(organisation)s.")
            % {"name": taken.name, "organisation": taken.organisation}
        )


def _revoke(contact: SponsorContact) -> None:
    user = contact.user
    assert user is not None
    User.objects.filter(pk=user.pk).update(is_sponsor=False)
    contact.user = None
    contact.save(update_fields=["user"])


def contact_account_revoke(*, actor: AnyUser, contact: SponsorContact) -> SponsorContact:
    """Take the sponsor's space away from the contact's account (the account itself stays:
    the person may have applied); the contact still receives the organisation's mail."""
    finance = require_finance(actor)
    with transaction.atomic():
        locked = _lock(contact)
        if locked.user is None:
            raise ValidationError(_("%(name)s has no account.") % {"name": locked.name})
        before = _values(locked)
        _revoke(locked)
        _record(actor=finance, contact=locked, action="account_revoked", before=before)
    return locked
