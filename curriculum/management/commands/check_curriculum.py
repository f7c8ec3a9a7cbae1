"""Check the structure of every programme (or one): non-zero exit when something is wrong."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.models import Programme
from curriculum.selectors import programme_with_structure
from curriculum.structure import structure_problems


class Command(BaseCommand):
    help = "Check credits (30 per semester, the programme's total), UE sums and module weights."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="slug of one programme (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = (
            [options["programme"]]
            if options["programme"]
            else list(Programme.objects.order_by("code").values_list("slug", flat=True))
        )
        if not slugs:
            raise CommandError("No programme to check.")
        failures = 0
        for slug in slugs:
            if not Programme.objects.filter(slug=slug).exists():
                raise CommandError(f"Unknown programme: {slug}")
            programme = programme_with_structure(slug=slug)
            problems = structure_problems(programme)
            if problems:
                failures += len(problems)
                self.stderr.write(f"{programme.code}: {len(problems)} problem(s)")
                for problem in problems:
                    self.stderr.write(f"  - {problem}")
            else:
                self.stdout.write(
                    f"{programme.code}: structure sound "
                    f"({programme.semester_count} semesters, {programme.total_credits} credits)."
                )
        if failures:
            raise CommandError(f"{failures} problem(s) in the curriculum.")
