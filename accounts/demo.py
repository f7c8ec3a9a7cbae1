"""Demo accounts of every role (invented people), created once and never changed after."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User

# Printed by seed_demo, given only when DEBUG is on.
DEMO_PASSWORD = "demo-tema-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    flags: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.tema-wtc.dz", "Lina", "Hamidi", "admin", ("is_superuser", "is_staff")),
    DemoAccount(
        "coordination@demo.tema-wtc.dz", "Samira", "Haddadi", "coordinator", ("is_coordinator",)
    ),
    DemoAccount("finance@demo.tema-wtc.dz", "Nadia", "Boudiaf", "finance", ("is_finance",)),
    DemoAccount("lecturer@demo.tema-wtc.dz", "Karim", "Belkacemi", "lecturer", ("is_lecturer",)),
    DemoAccount("student@demo.tema-wtc.dz", "Yasmine", "Ouali", "student", ("is_student",)),
    DemoAccount("applicant@demo.tema-wtc.dz", "Rachid", "Merabet", "applicant", ()),
    # The contact at the demo cluster (ADC) who follows its sponsored participants.
    DemoAccount("sponsor@demo.tema-wtc.dz", "Amine", "Khelifi", "sponsor", ("is_sponsor",)),
)


@transaction.atomic
def seed_accounts(*, known_password: bool) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; returns (account, created) pairs.

    With ``known_password`` (DEBUG only) new accounts get the demo password; otherwise a
    random one nobody knows (use "forgot password" to take such an account over).
    """
    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        created = user is None
        if user is None:
            user = User(
                email=account.email, first_name=account.first_name, last_name=account.last_name
            )
            for flag in account.flags:
                setattr(user, flag, True)
            user.set_password(DEMO_PASSWORD if known_password else secrets.token_urlsafe(24))
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        results.append((account, created))
    return results
