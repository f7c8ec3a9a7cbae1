"""The electronic signature (PAdES) of every issued PDF: valid for pdfsig and pyHanko, the
PDF/A-3b document intact, the stored hash the signed file's; a file changed by one byte fails
both; a missing, locked or expired certificate fails the document with the reason and stores
nothing; the verification page names the signer and the time; the development certificate is
created once."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pypdf import PdfReader

from certificates import pdf, services
from certificates.demo import seed_issuer
from certificates.models import Certificate
from core import signing
from tests.certificates.pdfcheck import machine_checks
from tests.certificates.test_services import issue
from tests.conftest import SIGNING_PASSWORD

pytestmark = pytest.mark.django_db

PDFSIG_VALID = "Signature Validation: Signature is Valid."


@pytest.fixture(autouse=True)
def _issuer(cohort):
    """Documents name their issuer and signatories (idempotent)."""
    seed_issuer()


def pdfsig(content: bytes, folder: Path) -> str:
    path = folder / f"sig-{hashlib.sha256(content).hexdigest()[:12]}.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout


def one_byte_changed(content: bytes) -> bytes:
    """A byte flipped inside the first stream after the document's start: in the signed
    range, and the file still parses."""
    where = content.index(b"stream\n", 1000) + len(b"stream\n") + 20
    changed = bytearray(content)
    changed[where] ^= 0x01
    return bytes(changed)


def issued_one(cohort, coordinator, capture) -> Certificate:
    batch = issue(cohort, coordinator, capture)
    certificate = batch.certificates.order_by("pk").first()
    assert certificate is not None
    return certificate


def verify_upload(certificate: Certificate, content: bytes) -> str:
    url = reverse("certificates:verify", args=[certificate.code])
    upload = SimpleUploadedFile("c.pdf", content, content_type="application/pdf")
    response = Client().post(url, {"file": upload})
    assert response.status_code == 200
    return response.content.decode()


def check_state(html: str) -> str:
    match = re.search(r'data-testid="signature-check" data-state="(\w+)"', html)
    assert match, "no verdict on the signature"
    return match.group(1)


# --- Signed, and still PDF/A ------------------------------------------------------------------
def test_an_issued_pdf_is_signed_valid_and_still_pdfa(
    cohort, coordinator, django_capture_on_commit_callbacks, tmp_path, signing_certificate
):
    certificate = issued_one(cohort, coordinator, django_capture_on_commit_callbacks)
    assert certificate.status == Certificate.Status.READY
    content = certificate.pdf.read()
    # The stored hash is the signed file's, and every machine check of the document passes.
    assert hashlib.sha256(content).hexdigest() == certificate.sha256
    machine_checks(certificate, tmp_path)
    report = pdfsig(content, tmp_path)
    assert PDFSIG_VALID in report, report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES
    # An incremental update: the rendered revision, then the signature's.
    assert content.count(b"%%EOF") == 2
    # PDF/A wants the information dictionary and the XMP to say the same.
    reader = PdfReader(io.BytesIO(content))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert reader.metadata is not None
    assert xmp.pdf_producer == reader.metadata.producer
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()
    [signature] = PdfFileReader(io.BytesIO(content)).embedded_signatures
    assert signature.field_name == signing.FIELD_NAME
    subject = signing.subject_of(
        signing.inspect_p12(signing_certificate, password=SIGNING_PASSWORD)
    )
    assert certificate.signed_by == subject
    assert certificate.signed_at is not None
    assert abs(certificate.signed_at - signature.self_reported_timestamp) < timedelta(seconds=5)
    assert signing.check_signature(content).valid


def test_one_byte_changed_fails_pdfsig_and_the_verification_page(
    cohort, coordinator, django_capture_on_commit_callbacks, tmp_path
):
    certificate = issued_one(cohort, coordinator, django_capture_on_commit_callbacks)
    content = certificate.pdf.read()
    html = verify_upload(certificate, content)
    assert check_state(html) == "valid"
    assert certificate.signed_by in html
    changed = one_byte_changed(content)
    report = pdfsig(changed, tmp_path)
    assert PDFSIG_VALID not in report, report
    assert "Digest Mismatch" in report
    html = verify_upload(certificate, changed)
    assert check_state(html) == "invalid"
    assert "exactement celui" not in html  # nor is it the file issued


def test_a_file_not_signed_or_signed_by_someone_else_is_not_valid(
    cohort, coordinator, django_capture_on_commit_callbacks, tmp_path
):
    certificate = issued_one(cohort, coordinator, django_capture_on_commit_callbacks)
    unsigned = pdf.render_pdf(certificate.snapshot, certificate.code)
    assert check_state(verify_upload(certificate, unsigned)) == "unsigned"
    other = tmp_path / "other.p12"
    signing.create_self_signed_p12(other, password="x", common_name="Someone else", key_type="ec")
    with override_settings(SIGNING_P12=str(other), SIGNING_P12_PASSWORD="x"):
        forged = signing.sign_pdf(unsigned)
    assert PDFSIG_VALID in pdfsig(forged, tmp_path)  # a valid signature, but not ours
    assert check_state(verify_upload(certificate, forged)) == "invalid"
    assert check_state(verify_upload(certificate, b"%PDF-1.7 not really")) == "invalid"


def test_the_verification_page_names_the_signer_and_the_time(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    certificate = issued_one(cohort, coordinator, django_capture_on_commit_callbacks)
    html = Client().get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    block = re.search(r'data-testid="signature">(.*?)</dd>', html, re.S)
    assert block, html
    assert certificate.signed_by in block.group(1)
    assert certificate.signed_at is not None
    assert 'datetime="' in block.group(1)
    assert str(timezone.localtime(certificate.signed_at).year) in block.group(1)
    # A document issued before signatures says it has none.
    Certificate.objects.filter(pk=certificate.pk).update(signed_by="", signed_at=None)
    html = Client().get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    block = re.search(r'data-testid="signature">(.*?)</dd>', html, re.S)
    assert block
    assert certificate.signed_by not in block.group(1)
    assert "datetime=" not in block.group(1)


# --- Failures -----------------------------------------------------------------------------------
def _expired(folder: Path) -> Path:
    path = folder / "expired.p12"
    signing.create_self_signed_p12(
        path,
        password=SIGNING_PASSWORD,
        valid_from=datetime.now(tz=UTC) - timedelta(days=800),
        key_type="ec",
    )
    return path


def _not_yet_valid(folder: Path) -> Path:
    path = folder / "future.p12"
    signing.create_self_signed_p12(
        path,
        password=SIGNING_PASSWORD,
        valid_from=datetime.now(tz=UTC) + timedelta(days=1),
        key_type="ec",
    )
    return path


def _garbage(folder: Path) -> Path:
    path = folder / "garbage.p12"
    path.write_bytes(b"this is no PKCS#12 file")
    return path


# The reason is written in the site's language (French), as the coordination reads it.
@pytest.mark.parametrize(
    ("make", "password", "reason"),
    [
        (lambda folder: folder / "missing.p12", SIGNING_PASSWORD, "n'existe pas"),
        (None, "not-the-password", "ne s'ouvre pas avec le mot de passe"),
        (_expired, SIGNING_PASSWORD, "a expiré le"),
        (_not_yet_valid, SIGNING_PASSWORD, "n'est pas encore valide"),
        (_garbage, SIGNING_PASSWORD, "n'est pas un fichier PKCS#12 lisible"),
    ],
    ids=["missing", "wrong-password", "expired", "not-yet-valid", "unreadable"],
)
def test_a_signing_failure_fails_the_document_with_the_reason_and_stores_nothing(
    make,
    password,
    reason,
    cohort,
    coordinator,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
    signing_certificate,
):
    settings.SIGNING_P12 = str(make(tmp_path) if make else signing_certificate)
    settings.SIGNING_P12_PASSWORD = password
    with translation.override("en"):
        batch = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    certificates = list(batch.certificates.all())
    assert certificates
    for certificate in certificates:
        assert certificate.status == Certificate.Status.FAILED
        assert reason in certificate.error
        assert not certificate.pdf
        assert not certificate.sha256
        assert not certificate.signed_by
    stored = tmp_path / "private" / "certificates"
    assert not (stored.exists() and any(stored.iterdir()))
    # Put right, the same documents are tried again and issued.
    settings.SIGNING_P12 = str(signing_certificate)
    settings.SIGNING_P12_PASSWORD = SIGNING_PASSWORD
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_retry(certificate=certificates[0], actor=coordinator)
    certificates[0].refresh_from_db()
    assert certificates[0].status == Certificate.Status.READY


def test_no_certificate_configured_is_said_so(settings):
    settings.SIGNING_P12 = ""
    with translation.override("en"), pytest.raises(signing.SigningError, match="SIGNING_P12"):
        signing.sign_pdf(b"%PDF-1.7")


# --- The signer of the process ------------------------------------------------------------------
def test_a_renewed_certificate_is_taken_up_without_a_restart(settings, tmp_path):
    path = tmp_path / "institute.p12"
    signing.create_self_signed_p12(path, password="pw", common_name="First", key_type="ec")
    settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD = str(path), "pw"
    source = pdf.render_pdf(pdf.SAMPLE, "0000-0000-0000-00")
    assert signing.sign(source).signed_by.startswith("First")
    assert signing.sign(source).signed_by.startswith("First")  # the loaded signer, reused
    signing.create_self_signed_p12(path, password="pw", common_name="Renewed", key_type="rsa")
    renewed = signing.sign(source)
    assert renewed.signed_by.startswith("Renewed")
    assert signing.check_signature(renewed.content).valid


def test_a_time_stamp_is_added_when_a_tsa_is_configured(settings, tmp_path):
    """PAdES B-T: the signature carries the time-stamp of the service (a local one here)."""
    with local_tsa() as url:
        settings.SIGNING_TSA_URL = url
        signed = signing.sign_pdf(pdf.render_pdf(pdf.SAMPLE, "0000-0000-0000-00"))
        again = signing.sign_pdf(pdf.render_pdf(pdf.SAMPLE, "0000-0000-0000-00"))
    assert PDFSIG_VALID in pdfsig(signed, tmp_path)
    assert PDFSIG_VALID in pdfsig(again, tmp_path)
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    unsigned = [attribute["type"].native for attribute in embedded.signer_info["unsigned_attrs"]]
    assert "signature_time_stamp_token" in unsigned
    assert signing.check_signature(signed).valid
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/"  # nothing listens there
    with translation.override("en"), pytest.raises(signing.SigningError, match="time-stamping"):
        signing.sign_pdf(pdf.render_pdf(pdf.SAMPLE, "0000-0000-0000-00"))


class _TimeStampHandler(BaseHTTPRequestHandler):
    stamper: DummyTimeStamper

    def do_POST(self) -> None:
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        body = self.stamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def local_tsa() -> Iterator[str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's: RSA only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.now(tz=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    handler = type("Handler", (_TimeStampHandler,), {"stamper": stamper})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- The development certificate --------------------------------------------------------------
def test_the_development_certificate_is_created_once(settings, tmp_path):
    settings.SIGNING_P12_PASSWORD = "development-only"
    path = tmp_path / "var" / "signing" / "dev.p12"
    out = io.StringIO()
    call_command("signing_dev_certificate", "--out", str(path), stdout=out)
    assert path.exists()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "NOT VALID FOR REAL DOCUMENTS" in out.getvalue().upper()
    first = path.read_bytes()
    certificate = signing.inspect_p12(path, password="development-only")
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        signing.DEV_COMMON_NAME
    )
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=729) < lifetime <= timedelta(days=731)
    again = io.StringIO()
    call_command("signing_dev_certificate", "--out", str(path), stdout=again)
    assert path.read_bytes() == first  # idempotent: the same certificate
    assert "NOT VALID FOR REAL DOCUMENTS" in again.getvalue().upper()
    # It signs what make run issues.
    settings.SIGNING_P12 = str(path)
    assert signing.check_signature(
        signing.sign_pdf(pdf.render_pdf(pdf.SAMPLE, "0000-0000-0000-00"))
    ).valid
    # One that no longer opens is not replaced behind the developer's back.
    settings.SIGNING_P12_PASSWORD = "another"
    with pytest.raises(CommandError):
        call_command("signing_dev_certificate", "--out", str(path), stdout=io.StringIO())
    assert path.read_bytes() == first
