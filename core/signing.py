"""Electronic signatures (PAdES) of the PDFs the site issues, and the check of a signature in
a file someone uploads. Shared by every app that issues documents (certificates; invoices).

The institute's key and certificate (with its chain, if any) come from one PKCS#12 file,
``SIGNING_P12``, opened with ``SIGNING_P12_PASSWORD`` (from the environment only). It is
loaded once per process and loaded again when the file changes (its modification time or
size), so a renewed certificate is taken up without a restart.

Every signature is PAdES baseline B-B (``ETSI.CAdES.detached``, SHA-256), and B-T when
``SIGNING_TSA_URL`` names an RFC 3161 time-stamping service (the signature then carries the
service's time-stamp). It is appended to the rendered PDF as an incremental update: the bytes
rendered stay as they are, followed by a revision holding an invisible, printable signature
field, so a PDF/A-3b document stays PDF/A-3b (PDF/A allows incremental updates, and a widget
of zero size needs no appearance).

Speed (benchmarks/certificates.py): pyHanko's ``SimpleSigner`` parses its DER key again at
every signature (about 40 ms for RSA 2048, which cryptography checks on each load), and
without ``bytes_reserved`` it signs twice, a dummy signature to measure the space first. Here
the key is parsed once per process, and the space is measured on the first signature and
reused for the next ones (measured again if a time-stamp ever outgrows it): a signature then
costs about 12 ms, most of it asn1crypto assembling the CMS structure.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

#: The signature field every issued PDF carries (one, covering the whole file).
FIELD_NAME = "Signature"
#: How long the time-stamping service may take to answer (seconds).
TSA_TIMEOUT = 10
#: The subject of the certificate `make run` creates (64 characters at most: RFC 5280).
DEV_COMMON_NAME = "TEMA — dev signing certificate (not valid for real documents)"
DEV_ORGANISATION = "TEMA (development)"
DEV_VALIDITY = timedelta(days=730)

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]")


class SigningError(Exception):
    """A document could not be signed; the message says why, for people (the coordination
    reads it on the failed certificate)."""


@dataclass(frozen=True)
class SignedPdf:
    content: bytes
    #: The subject of the signing certificate (common name, organisation).
    signed_by: str
    signed_at: datetime


class _Signer(signers.SimpleSigner):
    """pyHanko's signer with the private key parsed once (``SimpleSigner`` parses its DER
    form at every signature)."""

    def __init__(self, base: signers.SimpleSigner, key: PrivateKeyTypes) -> None:
        super().__init__(
            signing_cert=base.signing_cert,
            signing_key=base.signing_key,
            cert_registry=base.cert_registry,
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if digest_algorithm == "sha256":
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
                return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
                return self._key.sign(data, ec.ECDSA(hashes.SHA256()))
        return super().sign_raw(data, digest_algorithm)


@dataclass
class _Loaded:
    identity: tuple[str, int, int, str]
    signer: _Signer
    certificate: x509.Certificate
    #: What a signature of ours chains to: the certificate and the chain in the file.
    trust_roots: list[asn1_x509.Certificate]
    signed_by: str
    #: The space a signature takes in the file (hexadecimal digits), per time-stamping URL.
    reserved: dict[str, int]


_lock = threading.Lock()
_cache: _Loaded | None = None


# --- The certificate --------------------------------------------------------------------------
def _configured() -> tuple[Path, str]:
    location = str(getattr(settings, "SIGNING_P12", "") or "")
    if not location:
        raise SigningError(
            _(
                "No signing certificate is configured: set SIGNING_P12 to the institute's "
                "PKCS#12 file (and SIGNING_P12_PASSWORD to its password)."
            )
        )
    return Path(location), str(getattr(settings, "SIGNING_P12_PASSWORD", "") or "")


def _loaded() -> _Loaded:
    """The signer of this process, loaded again when the file changed."""
    global _cache
    path, password = _configured()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise SigningError(
            _("The signing certificate %(path)s does not exist (SIGNING_P12).") % {"path": path}
        ) from None
    except OSError as exc:
        raise SigningError(
            _("The signing certificate %(path)s cannot be read: %(error)s.")
            % {"path": path, "error": exc.strerror or exc}
        ) from exc
    identity = (str(path), stat.st_mtime_ns, stat.st_size, password)
    with _lock:
        if _cache is None or _cache.identity != identity:
            _cache = _load(path, password, identity)
        return _cache


def _open_p12(
    path: Path, password: str
) -> tuple[bytes, PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(
            _("The signing certificate %(path)s cannot be read: %(error)s.")
            % {"path": path, "error": exc.strerror or exc}
        ) from exc
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        if _is_pkcs12(data):
            raise SigningError(
                _(
                    "The signing certificate %(path)s does not open with the password given: "
                    "check SIGNING_P12_PASSWORD."
                )
                % {"path": path}
            ) from exc
        raise SigningError(
            _("%(path)s is not a readable PKCS#12 file (.p12 or .pfx): %(error)s.")
            % {"path": path, "error": exc}
        ) from exc
    if key is None or certificate is None:
        raise SigningError(
            _("%(path)s holds no private key with its certificate: export both into it.")
            % {"path": path}
        )
    return data, key, certificate, list(chain)


def _is_pkcs12(data: bytes) -> bool:
    """Whether the bytes are a PKCS#12 structure at all (then a failure to open it is the
    password's)."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        _ = pfx.native
    except (ValueError, TypeError):
        return False
    return True


def _load(path: Path, password: str, identity: tuple[str, int, int, str]) -> _Loaded:
    data, key, certificate, chain = _open_p12(path, password)
    base = signers.SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=password.encode() if password else None
    )
    roots = [asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))]
    roots += [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    logger.info("Signing certificate loaded from %s: %s", path, subject_of(certificate))
    return _Loaded(
        identity=identity,
        signer=_Signer(base, key),
        certificate=certificate,
        trust_roots=roots,
        signed_by=subject_of(certificate),
        reserved={},
    )


def subject_of(certificate: x509.Certificate) -> str:
    """The signer as people read it: the certificate's common name and organisation."""
    names: list[str] = []
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        for attribute in certificate.subject.get_attributes_for_oid(oid):
            value = attribute.value
            text = value if isinstance(value, str) else value.decode(errors="replace")
            if text and text not in names:
                names.append(text)
    return (", ".join(names) or certificate.subject.rfc4514_string())[:200]


def _check_validity(certificate: x509.Certificate, now: datetime) -> None:
    if now < certificate.not_valid_before_utc:
        raise SigningError(
            _("The signing certificate is not valid yet: it is valid from %(start)s.")
            % {"start": f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"}
        )
    if now > certificate.not_valid_after_utc:
        raise SigningError(
            _("The signing certificate expired on %(end)s: install the renewed one (SIGNING_P12).")
            % {"end": f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"}
        )


def signer_name() -> str:
    """Who the documents are signed by now (raises SigningError when nothing is usable)."""
    return _loaded().signed_by


# --- Signing ------------------------------------------------------------------------------------
def sign_pdf(content: bytes, *, reason: str = "", location: str = "") -> bytes:
    """The PDF with the institute's signature appended (PAdES B-B, or B-T with a TSA)."""
    return sign(content, reason=reason, location=location).content


def sign(content: bytes, *, reason: str = "", location: str = "") -> SignedPdf:
    """As ``sign_pdf``, with who signed and when (stored beside the document)."""
    loaded = _loaded()
    now = datetime.now(tz=UTC).replace(microsecond=0)
    _check_validity(loaded.certificate, now)
    tsa_url = str(getattr(settings, "SIGNING_TSA_URL", "") or "")
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    reserved = loaded.reserved.get(tsa_url)
    try:
        try:
            signed = _sign_once(content, metadata, loaded.signer, tsa_url, reserved)
        except PyHankoSigningError:
            if reserved is None:
                raise
            # The time-stamp outgrew the space measured on the first signature: measure again.
            reserved = None
            signed = _sign_once(content, metadata, loaded.signer, tsa_url, reserved)
    except TimestampRequestError as exc:
        raise SigningError(
            _("The time-stamping service %(url)s did not answer as expected: %(error)s.")
            % {"url": tsa_url, "error": exc}
        ) from exc
    except (PdfError, PyHankoSigningError) as exc:
        raise SigningError(_("The PDF could not be signed: %(error)s.") % {"error": exc}) from exc
    if reserved is None:
        measured = _reserved_in(signed, start=len(content))
        if measured:
            loaded.reserved[tsa_url] = measured
    return SignedPdf(content=signed, signed_by=loaded.signed_by, signed_at=now)


def _sign_once(
    content: bytes,
    metadata: signers.PdfSignatureMetadata,
    signer: _Signer,
    tsa_url: str,
    reserved: int | None,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    _align_producer(writer)
    timestamper = HTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT) if tsa_url else None
    output = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(
        writer, bytes_reserved=reserved
    )
    return bytes(output.getbuffer())


def _align_producer(writer: IncrementalPdfFileWriter) -> None:
    """pyHanko appends its name to the information dictionary's Producer ("WeasyPrint …;
    pyHanko …") but writes its name alone as the XMP ``pdf:Producer``, and PDF/A wants the two
    to say the same (ISO 19005-3 §6.6.2.3.1). Naming pyHanko alone in both keeps them equal."""
    try:
        reference = writer.trailer.raw_get("/Info")
    except KeyError:
        return
    info = reference.get_object()
    if isinstance(info, generic.DictionaryObject):
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.mark_update(reference)


def _reserved_in(signed: bytes, *, start: int) -> int | None:
    """The space the signature took: the gap of its byte range, less the two angle brackets
    of the hexadecimal string."""
    match = _BYTE_RANGE.search(signed, start)
    if match is None:
        return None
    return int(match.group(2)) - int(match.group(1)) - 2


# --- Checking an uploaded file ------------------------------------------------------------------
@dataclass(frozen=True)
class SignatureCheck:
    VALID = "valid"
    INVALID = "invalid"
    UNSIGNED = "unsigned"
    UNCHECKED = "unchecked"

    state: str
    signed_by: str = ""
    signed_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.state == self.VALID


def check_signature(content: bytes) -> SignatureCheck:
    """Whether a file carries one signature, by the configured certificate (or its chain),
    intact and covering the whole file. It is checked at the time it says it was signed: a
    document outlives the certificate it was signed with (two years for the development one).
    """
    try:
        roots = _loaded().trust_roots
    except SigningError as exc:
        logger.warning("A signature could not be checked: %s", exc)
        return SignatureCheck(SignatureCheck.UNCHECKED)
    try:
        signatures = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except Exception:  # not a PDF pyHanko can read: whatever it is, not one we signed
        return SignatureCheck(SignatureCheck.INVALID)
    if not signatures:
        return SignatureCheck(SignatureCheck.UNSIGNED)
    if len(signatures) != 1:
        return SignatureCheck(SignatureCheck.INVALID)
    [embedded] = signatures
    try:
        claimed = embedded.self_reported_timestamp
        context = ValidationContext(
            trust_roots=roots, moment=claimed, allow_fetching=False, revocation_mode="soft-fail"
        )
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # a damaged signature (its certificate unreadable, say): not valid
        logger.info("An uploaded file's signature could not be validated", exc_info=True)
        return SignatureCheck(SignatureCheck.INVALID)
    timestamp = status.timestamp_validity
    valid = (
        status.intact
        and status.valid
        and status.trusted
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and (timestamp is None or (timestamp.intact and timestamp.valid))
    )
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    return SignatureCheck(
        SignatureCheck.VALID if valid else SignatureCheck.INVALID,
        signed_by=_asn1_subject(status.signing_cert),
        signed_at=signed_at,
    )


def _asn1_subject(certificate: asn1_x509.Certificate | None) -> str:
    if certificate is None:
        return ""
    return subject_of(x509.load_der_x509_certificate(certificate.dump()))


# --- The development certificate ----------------------------------------------------------------
def create_self_signed_p12(
    path: Path,
    *,
    password: str,
    common_name: str = DEV_COMMON_NAME,
    organisation: str = DEV_ORGANISATION,
    valid_from: datetime | None = None,
    validity: timedelta = DEV_VALIDITY,
    key_type: str = "rsa",
) -> x509.Certificate:
    """Write a self-signed signing certificate and its key as a PKCS#12 file (readable by its
    owner only, written under a temporary name and moved into place); returns the certificate.
    For development and tests: a real document is signed with a certificate from an
    accredited provider (README, "Signing certificate")."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if key_type == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    start = valid_from or datetime.now(tz=UTC) - timedelta(minutes=5)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DZ"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, certificate, None, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return certificate


def inspect_p12(path: Path, *, password: str) -> x509.Certificate:
    """The certificate of a PKCS#12 file, opened as signing would (SigningError if not)."""
    _data, _key, certificate, _chain = _open_p12(path, password)
    return certificate
