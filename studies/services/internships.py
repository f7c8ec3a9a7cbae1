"""S4: internships, the supervisor's authorisation, the defence jury and the thesis mark,
which lmd computes from the rubric and which feeds the S4 grid."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import Notification, User
from accounts.services import email_queue
from core.storage import delete_when_unreferenced
from core.uploads import check_pdf, random_name
from curriculum import lmd
from studies.models import Defence, DefenceMember, Internship, MarkSheet, Session
from studies.services.marks import MarkRow, grid_save

THESIS_SALT = "enrollment.thesis-link"
THESIS_LINK_DAYS = 30
MAX_PDF = 30 * 1024 * 1024
R = DefenceMember.Role


def _coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


@transaction.atomic
def internship_save(
    *, internship: Internship, actor: User, agreement: UploadedFile | None = None
) -> Internship:
    _coordinator(actor)
    programme = internship.student.cohort.programme
    if internship.starts_on and internship.ends_on:
        weeks = (internship.ends_on - internship.starts_on).days // 7
        if not programme.internship_min_weeks <= weeks <= programme.internship_max_weeks:
            raise ValidationError(
                {
                    "ends_on": _("An internship lasts %(low)s to %(high)s weeks (here %(weeks)s).")
                    % {
                        "low": programme.internship_min_weeks,
                        "high": programme.internship_max_weeks,
                        "weeks": weeks,
                    }
                }
            )
    if internship.host_id is None and not internship.host_name.strip():
        raise ValidationError({"host_name": _("Name the host: a partner or another company.")})
    replaced = ""
    if agreement is not None:
        check_pdf(agreement, max_bytes=MAX_PDF)
        if internship.pk:
            replaced = (
                Internship.objects.filter(pk=internship.pk)
                .values_list("agreement_pdf", flat=True)
                .first()
                or ""
            )
        internship.agreement_pdf.save(random_name("internships", "pdf"), agreement, save=False)
    internship.full_clean()
    internship.save()
    delete_when_unreferenced(internship.agreement_pdf.storage, replaced)
    Defence.objects.get_or_create(internship=internship)
    return internship


@transaction.atomic
def defence_authorise(*, defence: Defence, actor: User) -> Defence:
    """The academic supervisor's authorisation to defend (or the coordination's)."""
    if actor.pk != defence.internship.supervisor_id and not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    defence.authorised_by = actor
    defence.authorised_at = timezone.now()
    defence.save(update_fields=["authorised_by", "authorised_at"])
    return defence


def parse_members(text: str) -> list[DefenceMember]:
    """One member per line: role, name, e-mail (role: president, supervisor, examiner, invited)."""
    members, errors = [], []
    names = {str(label).lower(): value for value, label in R.choices} | {
        value: value for value in R.values
    }
    for number, line in enumerate([ln for ln in text.splitlines() if ln.strip()], start=1):
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if len(parts) != 3 or parts[0].lower() not in names:
            errors.append(_("Line %(n)s: write “role, name, e-mail”.") % {"n": number})
            continue
        members.append(
            DefenceMember(role=names[parts[0].lower()], name=parts[1][:150], email=parts[2][:254])
        )
    if errors:
        raise ValidationError(errors)
    return members


def check_jury(members: list[DefenceMember]) -> None:
    """President + supervisor(s) + examiner(s): 4 members with one supervisor, 5 with two;
    one invited member at most, on top (docs/academic-rules.md §1.10)."""
    count = {role: sum(1 for m in members if m.role == role) for role in R.values}
    supervisors = count[R.SUPERVISOR]
    core = len(members) - count[R.INVITED]
    problems = []
    if count[R.PRESIDENT] != 1:
        problems.append(_("The jury has one president."))
    if supervisors not in (1, 2):
        problems.append(_("The jury has one or two supervisors."))
    if count[R.EXAMINER] < 1:
        problems.append(_("The jury has at least one examiner."))
    if supervisors in (1, 2) and core != 3 + supervisors:
        problems.append(
            _("With %(s)s supervisor(s), the jury has %(n)s members besides an invited one.")
            % {"s": supervisors, "n": 3 + supervisors}
        )
    if count[R.INVITED] > 1:
        problems.append(_("One invited member at most."))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def defence_schedule(
    *,
    defence: Defence,
    actor: User,
    scheduled_at: datetime,
    room: str,
    members: list[DefenceMember],
) -> Defence:
    _coordinator(actor)
    check_jury(members)
    for member in members:
        member.defence = defence
        member.full_clean(exclude=["defence"])
    defence.scheduled_at = scheduled_at
    defence.room = room
    defence.save(update_fields=["scheduled_at", "room"])
    defence.members.all().delete()
    DefenceMember.objects.bulk_create(members)
    return defence


@transaction.atomic
def thesis_upload(*, defence: Defence, actor: User, upload: UploadedFile) -> Defence:
    if actor.pk not in (
        defence.internship.student.user_id,
        defence.internship.supervisor_id,
    ) and not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    check_pdf(upload, max_bytes=MAX_PDF)
    replaced = Defence.objects.filter(pk=defence.pk).values_list("thesis", flat=True).first()
    defence.thesis.save(random_name("theses", "pdf"), upload, save=False)
    defence.save(update_fields=["thesis"])
    delete_when_unreferenced(defence.thesis.storage, replaced)
    return defence


def thesis_link_token(defence: Defence, member: DefenceMember) -> str:
    return signing.dumps({"defence": defence.pk, "member": member.pk}, salt=THESIS_SALT)


def thesis_from_token(token: str) -> Defence | None:
    try:
        data = signing.loads(token, salt=THESIS_SALT, max_age=timedelta(days=THESIS_LINK_DAYS))
    except signing.BadSignature:
        return None
    return Defence.objects.filter(pk=data.get("defence"), members__pk=data.get("member")).first()


def thesis_send(*, defence: Defence, actor: User, site_url: str) -> int:
    """Send the thesis to every jury member (a private link), a week before at least."""
    _coordinator(actor)
    problems = []
    if defence.authorised_at is None:
        problems.append(_("The supervisor has not authorised the defence yet."))
    if not defence.thesis:
        problems.append(_("The thesis has not been uploaded."))
    if defence.scheduled_at is None or defence.scheduled_at < timezone.now() + timedelta(days=7):
        problems.append(_("The thesis goes to the jury a week before the defence at least."))
    members = list(defence.members.all())
    if not members:
        problems.append(_("The jury is not set."))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for member in members:
            link = site_url + reverse(
                "studies:thesis_link", args=[thesis_link_token(defence, member)]
            )
            with translation.override("fr"):
                body = render_to_string(
                    "studies/email/thesis.txt",
                    {"defence": defence, "member": member, "link": link, "days": THESIS_LINK_DAYS},
                )
                subject = _("Thesis of %(student)s — defence on %(date)s") % {
                    "student": defence.internship.student.user.get_full_name(),
                    # The day in Algiers (a defence at 00:30 is not the day before, in UTC).
                    "date": formats.date_format(
                        timezone.localtime(defence.scheduled_at), "SHORT_DATE_FORMAT"
                    ),
                }
            email_queue(
                EmailMultiAlternatives(subject=subject, body=body, to=[member.email]),
                kind=Notification.Kind.RESULTS,
            )
        defence.thesis_sent_at = timezone.now()
        defence.save(update_fields=["thesis_sent_at"])
    return len(members)


def defence_mark(
    *, defence: Defence, actor: User, written: Decimal, oral: Decimal, tutor: Decimal
) -> Decimal:
    """The thesis mark from the rubric (R-MEM-1, lmd), written into the S4 grid."""
    _coordinator(actor)
    student = defence.internship.student
    programme = student.cohort.programme
    rules = programme.rules()
    mark = lmd.memoire_mark(written=written, oral=oral, tutor=tutor, rules=rules)
    with transaction.atomic():
        defence.written, defence.oral, defence.tutor, defence.mark = written, oral, tutor, mark
        defence.full_clean()
        defence.save(update_fields=["written", "oral", "tutor", "mark"])
        # The curriculum names the thesis module (Module.is_thesis), academic-rules.md §1.10.
        sheet = MarkSheet.objects.filter(
            offering__cohort=student.cohort,
            offering__module__is_thesis=True,
            session=Session.NORMAL,
        ).first()
        if sheet is None:
            raise ValidationError(
                _(
                    "The thesis module of the programme is not delivered to this cohort yet "
                    "(or no module is marked as the thesis in the curriculum): the mark "
                    "cannot be written into its grid."
                )
            )
        if sheet is not None:
            grid_save(
                sheet=sheet,
                actor=actor,
                rows=[MarkRow(student.pk, mark, None)],
                reason=_("thesis defence") if sheet.status == MarkSheet.Status.SUBMITTED else "",
            )
    return mark
