"""``manage.py academic_record --student REGISTRATION_NUMBER [--json]``: a student's stored
academic record (the current rows the juries wrote), as a table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from curriculum.templatetags.lmd import decision
from enrollment.models import Student
from studies.models import Session
from studies.selectors import academic_record
from studies.templatetags.studies import acquired


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Lines of a plain-text table, its columns as wide as their widest cell."""
    cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Print the stored academic record of a student: semesters, years, credits and the "
            "final result (--json: as JSON)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--student",
            required=True,
            metavar="REGISTRATION_NUMBER",
            help=_("the student's registration number"),
        )
        parser.add_argument("--json", action="store_true", help=_("print the record as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        number = options["student"].strip()
        student = (
            Student.objects.select_related("cohort", "user")
            .filter(registration_number=number)
            .first()
        )
        if student is None:
            raise CommandError(
                _("No student has the registration number %(number)s.") % {"number": number}
            )
        record = academic_record(student=student)
        if options["json"]:
            self.stdout.write(json.dumps(record, ensure_ascii=False, indent=2))
            return
        for line in self._readable(student, record):
            self.stdout.write(line)

    def _readable(self, student: Student, record: dict[str, Any]) -> list[str]:
        sessions = {"normal": Session.NORMAL.label, "resit": Session.RESIT.label}
        lines = [
            _("%(number)s · %(name)s · cohort %(cohort)s")
            % {
                "number": record["registration_number"],
                "name": student.user.get_full_name() or student.user.email,
                "cohort": record["cohort"],
            },
            "",
        ]
        if record["semesters"]:
            lines += table(
                [
                    _("Semester"),
                    _("Session"),
                    _("Average"),
                    _("Credits"),
                    _("Decision"),
                    _("Credits acquired"),
                    _("Version"),
                ],
                [
                    [
                        f"S{s['number']}",
                        sessions.get(s["session"], s["session"]),
                        s["average"],
                        s["credits"],
                        decision(s["decision"]),
                        acquired(s["acquired_by"]),
                        s["version"],
                    ]
                    for s in record["semesters"]
                ],
            )
        else:
            lines.append(_("No semester decided by a jury yet."))
        lines.append("")
        if record["years"]:
            lines += table(
                [
                    _("Year"),
                    _("Average"),
                    _("Credits"),
                    _("Decision"),
                    _("Progression"),
                    _("Debt credits"),
                ],
                [
                    [
                        y["number"],
                        y["average"],
                        y["credits"],
                        decision(y["decision"]),
                        decision(y["progression"]),
                        y["debt_credits"],
                    ]
                    for y in record["years"]
                ],
            )
        else:
            lines.append(_("No year deliberated yet."))
        lines += ["", _("Total credits: %(n)s") % {"n": record["total_credits"]}]
        final = record["final"]
        if final is None:
            lines.append(_("Final result: not decided yet."))
        else:
            lines.append(
                _(
                    "Final result: average %(average)s, ranking average %(ranking)s, "
                    "mention %(mention)s, rank %(rank)s (repeats %(repeats)s, debts "
                    "%(debts)s, resits %(resits)s)."
                )
                % {
                    "average": final["average"],
                    "ranking": final["ranking_average"],
                    "mention": decision(final["mention"]) or "—",
                    "rank": final["rank"] or "—",
                    "repeats": final["repeats"],
                    "debts": final["debts"],
                    "resits": final["resits"],
                }
            )
        return lines
