"""Load the demo data: idempotent, a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_accounts
from accounts.models import User
from curriculum.demo import seed_curriculum
from partners.demo import seed_partners


class Command(BaseCommand):
    help = "Create the demo data (accounts of every role, …); running it again changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = seed_accounts(known_password=settings.DEBUG)
        created = sum(1 for _, was_created in accounts if was_created)
        self.stdout.write(f"Demo accounts: {len(accounts)} ({created} created).")
        organisations = seed_partners()
        self.stdout.write(f"Partners: {len(organisations)} organisations.")
        lecturers = list(User.objects.filter(email="lecturer@demo.tema-wtc.dz"))
        programme = seed_curriculum(organisations=organisations, lecturers=lecturers)
        self.stdout.write(
            f"Curriculum: {programme.code}, {programme.semesters.count()} semesters, "
            f"{programme.modules.count()} modules."
        )
        if settings.DEBUG:
            self.stdout.write("")
            self.stdout.write(f"  {'role':<12} {'e-mail':<34} password")
            for account, _ in accounts:
                self.stdout.write(f"  {account.role:<12} {account.email:<34} {DEMO_PASSWORD}")
            self.stdout.write(
                "  (staff accounts are asked to set up an authenticator app on their first "
                "visit to the staff space)"
            )
