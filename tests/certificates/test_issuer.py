"""The issuer of the documents and their signatories as data: the staff pages and who may
open them, versioned signatories (an edit retires the old row; issued documents keep the
names they carry), the logo checked by its content, the documents refused while nobody signs
them, the members of a jury on its record, and the English edition."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from PIL import Image

from certificates import documents, issuer_services, pdf, services
from certificates.demo import SIGNATORIES, seed_issuer
from certificates.models import Batch, Certificate, Edition, IssuingAuthority, Kind, Signatory
from enrollment.models import Student
from studies.models import Jury, JuryMember
from studies.services.juries import jury_get_or_create
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def blank_pdf() -> bytes:
    """A one-page PDF: what the stubbed renderer returns (the document is signed after)."""
    buffer = io.BytesIO()
    with pikepdf.new() as document:
        document.add_blank_page()
        document.save(buffer)
    return buffer.getvalue()


def sentence(problem: str) -> str:
    """A reason in words as a refusal says it (capitalised, with a full stop)."""
    return problem[:1].upper() + problem[1:] + "."


def no_signatory() -> str:
    return _("no signatory for this document: add one in the staff space")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """The default (public) storage in a temporary folder: the logos go there."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def issuer(db) -> IssuingAuthority:
    return seed_issuer()


@pytest.fixture
def quick_render(monkeypatch):
    """Rendering stubbed: the PDF templates are not what these tests check."""
    content = blank_pdf()
    monkeypatch.setattr(pdf, "render_pdf", lambda snapshot, code: content)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def signing(kind: str) -> list[str]:
    return [s.name_fr for s in issuer_services.signatories_for(kind)]


# --- Who may open the pages -------------------------------------------------------------------
OK, FORBIDDEN, LOGIN, MFA, CODE = 200, 403, "login", "mfa", "code"
EXPECTED = {
    "anonymous": LOGIN,
    "applicant": FORBIDDEN,
    "student": FORBIDDEN,
    "lecturer": FORBIDDEN,
    "lecturer-no-mfa": FORBIDDEN,
    "coordinator": OK,
    "coordinator-no-mfa": MFA,
    "coordinator-password-only": CODE,
    "admin": OK,
    "admin-no-mfa": MFA,
}


def _pages() -> list[str]:
    signatory = Signatory.objects.filter(kind=Kind.ENROLLMENT).order_by("pk")[0]
    return [
        reverse("certificates:issuer"),
        reverse("certificates:signatories", args=[Kind.TRANSCRIPT.value]),
        reverse("certificates:signatory_edit", args=[signatory.pk]),
        reverse("certificates:signatory_retire", args=[signatory.pk]),
    ]


@pytest.mark.parametrize(("persona", "expected"), EXPECTED.items())
def test_only_the_coordination_opens_the_issuer_pages(issuer, persona_client, persona, expected):
    client = persona_client(persona)
    for url in _pages():
        response = client.get(url)
        location = response.get("Location", "")
        if expected == LOGIN:
            assert response.status_code == 302
            assert location.startswith(reverse("account_login") + "?next=")
        elif expected == MFA:
            assert (response.status_code, location) == (302, reverse("mfa_activate_totp"))
        elif expected == CODE:
            assert response.status_code == 302
            assert location.startswith(reverse("mfa_reauthenticate") + "?next=")
        else:
            assert response.status_code == expected, url


@pytest.mark.parametrize("persona", ["student", "lecturer", "coordinator-no-mfa"])
def test_a_post_by_anyone_else_changes_nothing(issuer, persona_client, persona):
    signatory = Signatory.objects.filter(kind=Kind.ENROLLMENT).order_by("pk")[0]
    client = persona_client(persona)
    client.post(reverse("certificates:signatory_retire", args=[signatory.pk]), {"confirm": "yes"})
    client.post(reverse("certificates:issuer"), {"name_fr": "Autre", "name_ar": "آخر"})
    signatory.refresh_from_db()
    assert signatory.retired_at is None
    assert IssuingAuthority.objects.get(active=True).name_fr.startswith("TEMA")


def test_the_staff_home_links_to_the_issuer_page(issuer, make_user):
    html = logged_in(make_user("coordinator")).get(reverse("staff_home")).content.decode()
    assert reverse("certificates:issuer") in html


# --- The authority and its logo ---------------------------------------------------------------
def authority_form(**changes: object) -> dict[str, object]:
    return {
        "name_fr": "TEMA – Institut de technologie et de management d'Alger",
        "name_ar": "تيما – معهد التكنولوجيا والتسيير بالجزائر",
        "name_en": "TEMA – Algiers Institute of Technology and Management",
        "legal_basis_fr": "Agrément n° 00 (démonstration)",
        "legal_basis_ar": "اعتماد رقم 00 (تجريبي)",
        "address_fr": "Alger",
        "address_ar": "الجزائر",
        "phone": "",
        "email": "",
        **changes,
    }


def test_the_first_save_creates_the_active_authority_with_its_logo(db, make_user, media):
    client = logged_in(make_user("coordinator"))
    page = client.get(reverse("certificates:issuer"))
    assert 'data-testid="no-authority"' in page.content.decode()
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = client.post(reverse("certificates:issuer"), {**authority_form(), "logo": logo})
    assert response.status_code == 302
    authority = IssuingAuthority.objects.get()
    assert authority.active
    assert authority.legal_basis_fr == "Agrément n° 00 (démonstration)"
    name = authority.logo.name or ""
    assert name.startswith("issuer/")
    assert name.endswith(".png")
    assert (media / authority.logo.name).read_bytes() == png()
    assert issuer_services.issuer_data(authority)["logo"] == authority.logo.name


def test_a_logo_that_is_not_an_image_is_refused_next_to_its_field_and_nothing_is_stored(
    issuer, make_user, media
):
    before = IssuingAuthority.objects.get(pk=issuer.pk)
    client = logged_in(make_user("coordinator"))
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(
        reverse("certificates:issuer"), {**authority_form(name_fr="Changed"), "logo": fake}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["logo"]
    assert form.errors["logo"] == [_("The file is not an image (PNG, JPEG or WebP).")]
    html = response.content.decode()
    assert html.index(escape(form.errors["logo"][0])) > html.index('name="name_en"')  # by it
    assert files_under(media) == []
    issuer.refresh_from_db()
    assert (issuer.name_fr, issuer.logo.name) == (before.name_fr, before.logo.name)


def test_a_webp_logo_is_refused_the_documents_print_png_and_jpeg(issuer, make_user, media):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="WEBP")
    webp = SimpleUploadedFile("logo.webp", buffer.getvalue(), content_type="image/webp")
    with pytest.raises(ValidationError) as refused:
        issuer_services.authority_save(
            actor=make_user("coordinator"), data=authority_form(), logo=webp
        )
    assert "logo" in refused.value.message_dict
    assert files_under(media) == []


def test_only_one_authority_is_active(issuer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IssuingAuthority.objects.create(name_fr="Autre", name_ar="آخر", active=True)


# --- Signatories, versioned -------------------------------------------------------------------
def signatory_form(**changes: object) -> dict[str, object]:
    return {
        "name_fr": "Yasmine Berkani",
        "name_ar": "ياسمين بركاني",
        "title_fr": "Directrice des études",
        "title_ar": "مديرة الدراسات",
        "title_en": "Director of Studies",
        "order": "1",
        "active_from": timezone.localdate().isoformat(),
        **changes,
    }


def test_the_demo_signs_each_document_as_the_rules_say(issuer):
    assert signing(Kind.ENROLLMENT) == ["Leïla Hamidi"]
    assert [s.title_fr for s in issuer_services.signatories_for(Kind.ENROLLMENT)] == [
        "Directrice des études"
    ]
    assert signing(Kind.TRANSCRIPT) == ["Karim Bensalem", "Nadia Ferroukhi"]
    assert signing(Kind.SUCCESS) == ["Samir Ouali"]
    assert signing(Kind.JURY_RECORD) == ["Nadia Ferroukhi"]
    assert signing(Kind.MODULE) == ["Karim Bensalem", "Hakim Djebbar"]
    assert set(SIGNATORIES) == set(Kind)
    seed_issuer()  # idempotent
    assert Signatory.objects.count() == sum(len(p) for p in SIGNATORIES.values())
    assert IssuingAuthority.objects.count() == 1


def test_an_edit_retires_the_old_row_and_issued_documents_keep_their_signatory(
    issuer, cohort, coordinator, django_capture_on_commit_callbacks, quick_render
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    issued = first.certificates.order_by("pk")[0]
    printed = dict(issued.snapshot)
    assert printed["signatories"] == [
        {
            "name_fr": "Leïla Hamidi",
            "name_ar": "ليلى حميدي",
            "title_fr": "Directrice des études",
            "title_ar": "مديرة الدراسات",
            "title_en": "Director of Studies",
        }
    ]

    old = Signatory.objects.get(kind=Kind.ENROLLMENT)
    client = logged_in(coordinator)
    response = client.post(reverse("certificates:signatory_edit", args=[old.pk]), signatory_form())
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.retired_at is not None
    assert old.retired_at <= timezone.now()
    new = Signatory.objects.get(kind=Kind.ENROLLMENT, retired_at__isnull=True)
    assert (new.replaces, new.created_by, new.name_fr) == (old, coordinator, "Yasmine Berkani")
    assert signing(Kind.ENROLLMENT) == ["Yasmine Berkani"]

    issued.refresh_from_db()
    assert issued.snapshot == printed  # the document issued before keeps what it printed
    with django_capture_on_commit_callbacks(execute=True):
        again = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    assert (
        again.certificates.order_by("pk")[0].snapshot["signatories"][0]["name_fr"]
        == "Yasmine Berkani"
    )

    page = client.get(reverse("certificates:signatories", args=[Kind.ENROLLMENT.value]))
    html = page.content.decode()
    history = html[html.index('data-testid="history"') :]
    assert "Leïla Hamidi" in history  # who signed when
    assert "Yasmine Berkani" not in history


def test_an_edit_from_a_later_date_leaves_the_old_signatory_signing_until_then(issuer, coordinator):
    old = Signatory.objects.get(kind=Kind.SUCCESS)
    later = timezone.localdate() + dt.timedelta(days=10)
    new = issuer_services.signatory_edit(
        signatory=old,
        actor=coordinator,
        data={"name_fr": "Omar Zeghdoud", "name_ar": "عمر زغدود", "active_from": later},
    )
    assert signing(Kind.SUCCESS) == ["Samir Ouali"]
    takes_over = timezone.make_aware(dt.datetime.combine(later, dt.time(9)))
    names = [s.name_fr for s in issuer_services.signatories_for(Kind.SUCCESS, at=takes_over)]
    assert names == ["Omar Zeghdoud"]
    assert new.title_fr == "Directeur de TEMA"  # what is not changed is carried over
    with pytest.raises(ValidationError) as again:  # one successor at most
        issuer_services.signatory_edit(signatory=old, actor=coordinator, data={"order": 3})
    assert again.value.messages == [_("This signatory is retired or replaced already.")]
    assert Signatory.objects.filter(replaces=old).count() == 1


def test_an_edit_that_changes_nothing_is_refused(issuer, coordinator):
    old = Signatory.objects.get(kind=Kind.SUCCESS)
    with pytest.raises(ValidationError) as refused:
        issuer_services.signatory_edit(signatory=old, actor=coordinator, data={})
    assert refused.value.messages == [_("Nothing was changed.")]
    old.refresh_from_db()
    assert old.retired_at is None


def test_a_signatory_is_added_from_the_page_with_messages_by_the_fields(issuer, coordinator):
    client = logged_in(coordinator)
    url = reverse("certificates:signatories", args=[Kind.SUCCESS.value])
    refused = client.post(url, signatory_form(name_fr="", title_en="x" * 101, order="2"))
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"name_fr", "title_en"}
    assert client.post(url, signatory_form(order="2")).status_code == 302
    assert signing(Kind.SUCCESS) == ["Samir Ouali", "Yasmine Berkani"]


def test_retiring_asks_to_confirm(issuer, coordinator):
    signatory = Signatory.objects.get(kind=Kind.SUCCESS)
    client = logged_in(coordinator)
    url = reverse("certificates:signatory_retire", args=[signatory.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="last-signatory"' in page  # warned: nobody would sign any more
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400
    assert (
        escape(_("Tick the box to confirm that this signatory signs no more documents."))
        in unconfirmed.content.decode()
    )
    signatory.refresh_from_db()
    assert signatory.retired_at is None
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    signatory.refresh_from_db()
    assert signatory.retired_at is not None
    assert signing(Kind.SUCCESS) == []
    assert client.get(url).status_code == 404  # retired: nothing more to retire


# --- Nobody signs: nobody is eligible ---------------------------------------------------------
def test_a_document_nobody_signs_is_refused_to_every_student(issuer, cohort, coordinator):
    for signatory in Signatory.objects.filter(kind=Kind.ENROLLMENT):
        issuer_services.signatory_retire(signatory=signatory, actor=coordinator, confirm=True)
    verdicts = services.eligible_list(cohort=cohort, kind=Kind.ENROLLMENT)
    assert len(verdicts) == 3
    assert {(v.ok, v.reason) for v in verdicts} == {(False, no_signatory())}
    with pytest.raises(ValidationError) as refused:
        services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    assert refused.value.messages == [sentence(no_signatory())]
    assert not Certificate.objects.exists()
    # the other documents keep their signatories (and their own reasons)
    other = services.eligible_list(cohort=cohort, kind=Kind.CUMULATIVE)[0]
    assert other.reason == _("no published jury for semester(s) %(list)s") % {"list": "1, 2, 3, 4"}

    student = Student.objects.filter(cohort=cohort).select_related("user").order_by("pk")[0]
    with pytest.raises(ValidationError) as asked:
        services.certificate_request(student=student, kind=Kind.ENROLLMENT, actor=student.user)
    assert asked.value.messages == [_("Not available: %(reason)s.") % {"reason": no_signatory()}]


def test_without_an_active_authority_nothing_is_issued(db, cohort, coordinator):
    IssuingAuthority.objects.update(active=False)  # the cohort fixture seeds one
    verdicts = services.eligible_list(cohort=cohort, kind=Kind.ENROLLMENT)
    problem = _("no issuing authority for the documents: set it in the staff space")
    assert {v.reason for v in verdicts} == {problem}
    with pytest.raises(ValidationError) as refused:
        services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    assert refused.value.messages == [sentence(problem)]


def test_the_issue_page_says_why_nobody_is_eligible(issuer, cohort, coordinator):
    Signatory.objects.filter(kind=Kind.ENROLLMENT).update(retired_at=timezone.now())
    client = logged_in(coordinator)
    url = reverse("certificates:batch_new", args=[cohort.slug])
    html = client.get(url, {"kind": "enrollment"}).content.decode()
    assert html.count(escape(no_signatory())) == 3
    response = client.post(url, {"kind": "enrollment"}, follow=True)
    assert escape(sentence(no_signatory())) in response.content.decode()


def test_a_signatory_retired_while_a_batch_renders_changes_none_of_its_documents(
    issuer, cohort, coordinator, django_capture_on_commit_callbacks, quick_render
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        batch = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    assert batch.certificates.filter(status=Certificate.Status.PENDING).count() == 3
    for signatory in Signatory.objects.filter(kind=Kind.ENROLLMENT):
        issuer_services.signatory_retire(signatory=signatory, actor=coordinator, confirm=True)
    for callback in queued:  # the broker hands the chunk to a worker now
        callback()
    certificates = list(batch.certificates.all())
    assert {c.status for c in certificates} == {Certificate.Status.READY}
    assert {c.snapshot["signatories"][0]["name_fr"] for c in certificates} == {"Leïla Hamidi"}
    batch.refresh_from_db()
    assert batch.status == batch.Status.DONE


def test_every_snapshot_carries_the_issuer_and_its_signatories(issuer, cohort):
    student = (
        Student.objects.filter(cohort=cohort).select_related("user", "cohort").order_by("pk")[0]
    )
    data = documents.snapshot(Kind.ENROLLMENT, student)
    assert data["issuer"] == {
        "name_fr": "TEMA – Institut de technologie et de management d'Alger",
        "name_ar": "تيما – معهد التكنولوجيا والتسيير بالجزائر",
        "name_en": "TEMA – Algiers Institute of Technology and Management",
        "legal_basis_fr": "Établissement privé de formation agréé (mention de démonstration)",
        "legal_basis_ar": "مؤسسة خاصة للتكوين معتمدة (بيان تجريبي)",
        "address_fr": "Alger (adresse de démonstration)",
        "address_ar": "الجزائر (عنوان تجريبي)",
        "logo": "",
    }
    assert data["edition"] == "fr"
    assert "issuer_fr" not in data["programme"]
    assert "signatories" not in data["programme"]


# --- Members of a jury ------------------------------------------------------------------------
@pytest.fixture
def closed_jury(cohort) -> Jury:
    jury = jury_get_or_create(cohort=cohort, semester=1, session="N")
    Jury.objects.filter(pk=jury.pk).update(status=Jury.Status.CLOSED, closed_at=timezone.now())
    jury.refresh_from_db()
    return jury


def jury_page(jury: Jury) -> str:
    return reverse("studies:jury", args=[jury.cohort.slug, jury.semester, jury.session])


def test_a_jury_without_a_president_has_no_record(issuer, closed_jury, coordinator):
    problem = _("the jury has no president: add its members on the jury's page")
    assert documents.jury_record_problem(closed_jury) == problem
    with pytest.raises(ValidationError) as refused:
        services.batch_start(
            cohort=closed_jury.cohort, kind=Kind.JURY_RECORD, jury=closed_jury, actor=coordinator
        )
    assert refused.value.messages == [sentence(problem)]
    html = (
        logged_in(coordinator)
        .get(
            reverse("certificates:batch_new", args=[closed_jury.cohort.slug]),
            {"kind": "jury-record", "jury": closed_jury.pk},
        )
        .content.decode()
    )
    assert escape(problem) in html


def test_members_are_added_on_the_jury_page_and_printed_president_first(
    issuer, closed_jury, coordinator, django_capture_on_commit_callbacks, quick_render
):
    client = logged_in(coordinator)
    page = client.get(jury_page(closed_jury)).content.decode()
    assert 'data-testid="jury-members"' in page
    add = reverse("studies:jury_member_add", args=[closed_jury.pk])
    for name, role in (
        ("Rachid Amokrane", "member"),
        ("Souad Belkacem", "secretary"),
        ("Nadia Ferroukhi", "president"),
    ):
        assert client.post(add, {"name": name, "role": role}).status_code == 302
    second = client.post(add, {"name": "Autre Président", "role": "president"}, follow=True)
    assert escape(_("This jury already has a president.")) in second.content.decode()
    assert client.post(add, {"name": "  ", "role": "member"}).status_code == 302
    assert closed_jury.members.count() == 3
    assert "Rachid Amokrane" in client.get(jury_page(closed_jury)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_start(
            cohort=closed_jury.cohort, kind=Kind.JURY_RECORD, jury=closed_jury, actor=coordinator
        )
    record = batch.certificates.get()
    assert record.status == Certificate.Status.READY
    assert record.snapshot["jury"]["members"] == [
        {
            "name": "Nadia Ferroukhi",
            "role": "president",
            "role_fr": "Président du jury",
            "role_ar": "رئيس اللجنة",
        },
        {"name": "Rachid Amokrane", "role": "member", "role_fr": "Membre", "role_ar": "عضو"},
        {
            "name": "Souad Belkacem",
            "role": "secretary",
            "role_fr": "Secrétaire de séance",
            "role_ar": "كاتب الجلسة",
        },
    ]
    assert record.snapshot["signatories"][0]["name_fr"] == "Nadia Ferroukhi"
    assert record.snapshot["edition"] == "fr"

    member = JuryMember.objects.get(name="Rachid Amokrane")
    remove = reverse("studies:jury_member_remove", args=[member.pk])
    assert client.post(remove).status_code == 302
    assert not JuryMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("persona", ["student", "lecturer"])
def test_only_the_coordination_changes_a_jury(issuer, closed_jury, persona_client, persona):
    client = persona_client(persona)
    response = client.post(
        reverse("studies:jury_member_add", args=[closed_jury.pk]),
        {"name": "Intrus", "role": "president"},
    )
    assert response.status_code == 403
    assert not closed_jury.members.exists()


# --- The English edition ----------------------------------------------------------------------
def test_a_student_asks_for_an_english_copy_which_leaves_the_french_one_standing(
    issuer, cohort, django_capture_on_commit_callbacks, quick_render
):
    student = Student.objects.filter(cohort=cohort).select_related("user").order_by("pk")[0]
    client = logged_in(student.user)
    url = reverse("certificates:mine")
    page = client.get(url).content.decode()
    assert 'name="edition"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "enrollment"})
    french = Certificate.objects.get(holder=student)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "enrollment", "edition": "en"})
    english = Certificate.objects.get(holder=student, edition=Edition.EN)
    assert english.snapshot["edition"] == "en"
    assert english.snapshot["issuer"]["name_en"].startswith("TEMA – Algiers")
    french.refresh_from_db()
    assert (french.edition, french.status, french.snapshot["edition"]) == ("fr", "ready", "fr")
    assert english.status == Certificate.Status.READY

    # a new French copy supersedes the French one only
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "enrollment", "edition": "fr"})
    french.refresh_from_db()
    english.refresh_from_db()
    assert (french.status, english.status) == ("superseded", "ready")
    assert Certificate.objects.get(supersedes=french).edition == "fr"


def test_a_coordinator_issues_english_copies_from_the_batch_page(
    issuer, cohort, coordinator, django_capture_on_commit_callbacks, quick_render
):
    client = logged_in(coordinator)
    url = reverse("certificates:batch_new", args=[cohort.slug])
    assert 'id="edition"' in client.get(url, {"kind": "enrollment"}).content.decode()
    assert 'id="edition"' not in client.get(url, {"kind": "jury-record"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": "enrollment",
                "edition": "en",
                "student": list(cohort.students.values_list("pk", flat=True)),
            },
        )
    assert response.status_code == 302
    certificates = list(Certificate.objects.filter(cohort=cohort))
    assert len(certificates) == 3
    assert {(c.edition, c.snapshot["edition"]) for c in certificates} == {("en", "en")}
    batch = Batch.objects.get(certificates__in=certificates[:1])
    assert response["Location"] == reverse("certificates:batch", args=[batch.pk])
    assert batch.edition == "en"
    assert batch.certificates.count() == 3


def test_the_english_edition_is_only_for_the_documents_that_have_one(issuer, cohort, coordinator):
    student = Student.objects.filter(cohort=cohort).select_related("user").order_by("pk")[0]
    no_english = sentence(_("this document has no English edition"))
    with pytest.raises(ValidationError) as refused:
        services.batch_start(
            cohort=cohort,
            kind=Kind.JURY_RECORD,
            jury=jury_get_or_create(cohort=cohort, semester=1, session="N"),
            actor=coordinator,
            edition="en",
        )
    assert refused.value.messages == [no_english]
    with pytest.raises(ValidationError) as refused:
        services.certificate_request(
            student=student, kind=Kind.ENROLLMENT, actor=student.user, edition="de"
        )
    assert refused.value.messages == [sentence(_("unknown language of the document"))]
    with pytest.raises(ValidationError) as refused:
        documents.snapshots(Kind.JURY_RECORD, [student], edition="en")
    assert refused.value.messages == [no_english]
    assert not Certificate.objects.exists()
