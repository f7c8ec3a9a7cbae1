"""Both importers — a mark grid (lecturers) and a cohort's students (coordinators) — through
their web views: a hostile or malformed file gets a message next to the file field, a 400,
and nothing is stored; a decompression bomb is refused before it is inflated."""

from __future__ import annotations

import io
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.spreadsheets import SpreadsheetError, read_records
from enrollment.models import Student
from studies.models import Mark, MarkSheet, Session
from studies.views import IMPORT_SESSION_KEY
from tests.factories.enrollment import CohortFactory
from tests.factories.partners import pdf_bytes
from tests.factories.spreadsheets import with_lying_sizes, xlsx_bomb, xlsx_bytes
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

MB = 1000 * 1000
STUDENT_HEADER = "email,surname_latin,given_names_latin,surname_ar,given_names_ar,level,group"


@dataclass
class Importer:
    client: Client
    url: str
    header: str
    line: Callable[[int], str]  # a valid line of the file
    stored: Callable[[], int]

    def post(self, name: str, content: bytes):
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content)})


def _grid(make_user) -> Importer:
    from tests.studies.studies_helpers import make_setting

    setting = make_setting(make_user)
    students = setting["students"]
    client = logged_in(setting["lecturer"])
    sheet = MarkSheet.objects.get(offering__module__code="F1.1.1", session=Session.NORMAL)
    return Importer(
        client=client,
        url=reverse("studies:sheet", args=[sheet.pk]),
        header="registration_number,name,cc,exam,absence,excluded",
        line=lambda n: f"{students[n % 3].registration_number},Benaïssa Hélène,12,14,,",
        stored=Mark.objects.count,
    )


def _students(make_user) -> Importer:
    client = logged_in(make_user("coordinator"))
    cohort = CohortFactory.create()
    return Importer(
        client=client,
        url=reverse("studies:student_import", args=[cohort.slug]),
        header=STUDENT_HEADER,
        line=lambda n: f"p{n}@example.dz,Benaïssa,Hélène,بن عيسى,هيلين,M1,A",
        stored=lambda: Student.objects.count() + bool(client.session.get(IMPORT_SESSION_KEY)),
    )


@pytest.fixture(params=["grid", "students"])
def importer(request, make_user) -> Importer:
    return {"grid": _grid, "students": _students}[request.param](make_user)


def refused(importer: Importer, response, *words: str) -> str:
    """A 400 with the message next to the file field, and nothing stored."""
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="file-error"' in html
    assert 'aria-describedby="file-error"' in html
    message = html.split('id="file-error" role="alert">', 1)[1].split("</span>", 1)[0]
    for word in words:
        assert word in message, message
    assert importer.stored() == 0
    return message


def test_a_valid_csv_is_accepted_by_both_importers(importer):
    content = "\n".join([importer.header, importer.line(0), importer.line(1)]).encode()
    response = importer.post("file.csv", content)
    assert response.status_code in (200, 302), response.content.decode()[-3000:]
    assert importer.stored() > 0


def test_a_single_column_csv_gets_a_message(importer):
    refused(importer, importer.post("one.csv", b"nom\nAmina\nSofiane\n"), "colonnes")


def test_a_field_longer_than_the_csv_limit_gets_a_message(importer):
    content = f"{importer.header}\n{importer.line(0)}\n".encode() + b'"' + b"x" * 200_000 + b'"\n'
    refused(importer, importer.post("long.csv", content), "ligne 3")


def test_a_pdf_renamed_csv_gets_a_message(importer):
    refused(importer, importer.post("marks.csv", pdf_bytes()), "PDF")


def test_a_text_file_named_xlsx_gets_a_message(importer):
    refused(importer, importer.post("marks.xlsx", b"hello, I am plain text\n"), "Excel")


def test_an_empty_file_gets_a_message(importer):
    # An empty upload is no file for Django's form parsing: a single space is as empty.
    refused(importer, importer.post("empty.csv", b" \n"), "vide")


def test_a_file_with_only_a_header_gets_a_message(importer):
    refused(importer, importer.post("header.csv", importer.header.encode() + b"\n"), "aucune ligne")


def test_a_latin_1_csv_is_read_with_its_accents(importer):
    content = "\n".join([importer.header, importer.line(0)]).encode("utf-8")
    latin = content.decode("utf-8").split("\n")
    # Arabic has no Latin-1 form: a Latin-1 file of students carries Latin names only.
    text = "\n".join(
        [latin[0], latin[1].replace("بن عيسى", "Bnaissa").replace("هيلين", "Hln")]
    ).encode("latin-1")
    response = importer.post("latin.csv", text)
    if importer.header == STUDENT_HEADER:
        # Decoded with its accents — and, since names in the Arabic columns must be in Arabic
        # script (the documents print them), the preview refuses the row and says why.
        assert response.status_code == 400
        html = response.content.decode()
        assert "Hélène" in html
        assert (
            escape(_("Use Arabic letters only (spaces, hyphens and apostrophes allowed).")) in html
        )
    else:
        assert response.status_code == 302
        assert Mark.objects.count() == 1


def test_a_file_in_no_known_encoding_says_which_is_expected(importer):
    content = (importer.header + "\n").encode() + b"\x81\x8d\xc3(\x9d,12,14\n"
    refused(importer, importer.post("odd.csv", content), "UTF-8")


def test_an_old_xls_file_gets_a_message(importer):
    refused(importer, importer.post("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))


def test_an_import_over_the_limit_is_refused_whole_never_cut(importer):
    """The old view read the first 2 MiB: a mark of 18 across the cut was saved as 1."""
    limit = 2 * 1024 * 1024
    last = importer.line(2).replace(",12,14,", ",18,18,").encode()
    cut = last.index(b",18") if b",18" in last else 5  # in a mark of the grid, or an address
    head = f"{importer.header}\n{importer.line(0)}\n".encode()
    padding = b"\n" * (limit - 1 - len(head) - cut)  # blank lines, which are skipped
    content = head + padding + last + b"\n"
    assert content[limit - 1 : limit + 1] == last[cut : cut + 2]  # where the old read cut
    message = refused(importer, importer.post("big.csv", content), "2,0\xa0Mio")
    assert "rien n&#x27;a été importé" in message


def test_more_rows_than_the_limit_is_refused(importer, settings):
    settings.IMPORT_MAX_ROWS = 10
    lines = [importer.header, *(importer.line(n) for n in range(11))]
    refused(importer, importer.post("many.csv", "\n".join(lines).encode()), "10")
    rows = [importer.header.split(","), *(importer.line(n).split(",") for n in range(11))]
    refused(importer, importer.post("many.xlsx", xlsx_bytes(rows)), "10")


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    """Peak memory of the block: Python's allocations (tracemalloc) and the process's
    resident set (its high-water mark, reset first through /proc), with the time taken."""
    figures: dict[str, float] = {}
    clear_refs = Path("/proc/self/clear_refs")
    clear_refs.write_text("5")  # resets VmHWM to the current resident size
    before = _vm("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - started
        figures["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
        figures["rss_growth_mb"] = (_vm("VmHWM") - before) / MB
        figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


@pytest.mark.parametrize("lying", [False, True], ids=["declared", "hidden"])
def test_an_xlsx_decompression_bomb_is_refused_quickly_in_bounded_memory(importer, lying):
    bomb = xlsx_bomb(inflated_bytes=150 * MB)
    if lying:  # the archive claims its sheet is 1,000 bytes: zipfile stops there (CRC)
        bomb = with_lying_sizes(bomb)
    assert len(bomb) < 1 * MB
    with measured() as figures:
        response = importer.post("bomb.xlsx", bomb)
    print(
        f"\nbomb of {len(bomb) / 1000:.0f} kB → 150 MB ({'hidden' if lying else 'declared'}):",
        figures,
    )
    refused(importer, response)
    assert figures["python_peak_mb"] < 50
    assert figures["rss_growth_mb"] < 50


def test_the_bomb_is_refused_before_openpyxl_reads_it():
    upload = SimpleUploadedFile("bomb.xlsx", xlsx_bomb(inflated_bytes=30 * MB))
    with (
        translation.override("en"),
        measured() as figures,
        pytest.raises(SpreadsheetError, match="uncompressed"),
    ):
        read_records(upload, required=("email",))
    assert figures["python_peak_mb"] < 5  # nothing inflated: the sizes were read only


def test_a_workbook_under_the_limits_is_read_in_read_only_mode():
    content = xlsx_bytes([["email", "cc"], ["a@example.dz", 12.5], [None, None], ["b@x.dz", 9]])
    records = read_records(
        SimpleUploadedFile("a.xlsx", io.BytesIO(content).read()), required=("email",)
    )
    assert records == [{"email": "a@example.dz", "cc": 12.5}, {"email": "b@x.dz", "cc": 9}]
