"""The renderer's small parts: the left-to-right isolate filter and the worker warm-up."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from certificates import pdf, tasks
from certificates.templatetags.certificate_text import ltr


def test_ltr_isolates_and_still_escapes():
    assert ltr("2026-2027") == "\u20662026-2027\u2069"
    assert ltr("<b>&") == "\u2066&lt;b&gt;&amp;\u2069"


def test_the_warm_up_renders_a_sample_and_a_failing_one_does_not_stop_the_worker(
    monkeypatch, caplog
):
    pdf.warm_up()  # the real thing: fonts, stylesheet and templates loaded
    assert pdf._fonts.cache_info().currsize == 1
    assert pdf._stylesheet.cache_info().currsize == 1

    def broken() -> None:
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "warm_up", broken)
    with caplog.at_level(logging.ERROR):
        tasks.warm_up_renderer()
    assert "warm-up failed" in caplog.text


@pytest.mark.parametrize("kind", sorted(pdf.TITLES))
def test_every_kind_has_its_template(kind):
    from django.template.loader import get_template

    assert get_template(f"certificates/pdf/{kind}.html")


def test_certificates_are_deflated_faster_and_other_pdfs_keep_pydyfs_level():
    import io
    import zlib

    import pydyf
    import pypdf

    content = pdf.render_pdf(pdf.SAMPLE, "ABCD-EFGH-JKMN-PQ")
    assert pydyf.zlib is zlib  # restored: WeasyPrint elsewhere in the process is untouched
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert "ABCD-EFGH-JKMN-PQ" in reader.pages[0].extract_text()
    streams: list[Any] = [
        o for o in reader.resolved_objects.values() if isinstance(o, pypdf.generic.StreamObject)
    ]
    assert streams
    fonts = [
        o for o in streams if o.get("/Filter") == "/FlateDecode" and "/Length1" in o
    ]  # embedded font programs, deflated
    assert fonts
    for font in fonts:
        raw = font._data
        assert zlib.decompress(raw) == font.get_data()
        # Level 1 leaves the fastest-compression flag in the zlib header (FLEVEL 0).
        assert raw[1] >> 6 == 0
