from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import factory
import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from partners.models import Agreement, Contact, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.CLUSTER
    sector = Organisation.Sector.DIGITAL
    name_fr = factory.Sequence(lambda n: f"Cluster numéro {n}")
    name_ar = factory.Sequence(lambda n: f"العنقود رقم {n}")
    name_en = factory.Sequence(lambda n: f"Cluster number {n}")
    acronym = factory.Sequence(lambda n: f"C{n}")
    wilaya = "Alger"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = "Nassima Ferhat"
    role = "Animatrice"
    email = factory.Sequence(lambda n: f"contact{n}@example.dz")


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Convention {n}")
    signed_on = dt.date(2025, 1, 10)
    valid_from = dt.date(2025, 1, 10)
    valid_until = dt.date(2030, 1, 9)
    scope_teaching = True

    @factory.post_generation
    def parties(
        obj: Agreement, create: bool, extracted: list[Organisation] | None, **kwargs: object
    ) -> None:
        if create:
            obj.parties.set(
                extracted or [OrganisationFactory.create(), OrganisationFactory.create()]
            )


def png_upload(
    name: str = "logo.png", size: tuple[int, int] = (64, 64), fmt: str = "PNG"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 79, 108)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def pdf_bytes(*, encrypted: bool = False, javascript: bool = False, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
    if encrypted:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "convention.pdf", **kwargs: bool) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(**kwargs), content_type="application/pdf")


# --- Hostile PDFs: one per trick that got past the old byte scan --------------------------------
def _new_pdf() -> Any:
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    return pdf


def _save(pdf: Any, *, object_streams: bool = False) -> bytes:
    buffer = io.BytesIO()
    if object_streams:
        pdf.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
        )
    else:  # every object written as plain text, so a test may rewrite its bytes
        pdf.save(
            buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False
        )
    return buffer.getvalue()


def _link(pdf: Any, **entries: Any) -> None:
    """A link annotation on the first page with the given entries (an action, say)."""
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([10, 10, 100, 40]),
        **entries,
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))


def _widget(pdf: Any, **entries: Any) -> Any:
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Btn,
            T=pikepdf.String("send"),
            Rect=pikepdf.Array([10, 10, 100, 40]),
            **entries,
        )
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    return field


def _js(code: str = "app.alert('hello');") -> Any:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def _escaped_javascript() -> bytes:
    # Placeholders of the same length are rewritten in the bytes, so the offsets of the
    # cross-reference table stay right and the file is valid, not repaired.
    pdf = _new_pdf()
    _link(pdf, A=pikepdf.Dictionary(S=pikepdf.Name("/ZZZZZZZZZZZZ"), QQQQ=pikepdf.String("x")))
    data = _save(pdf)
    assert data.count(b"/ZZZZZZZZZZZZ") == 1
    assert data.count(b"/QQQQ") == 1
    return data.replace(b"/ZZZZZZZZZZZZ", b"/Java#53cript").replace(b"/QQQQ", b"/J#53")


def _escaped_launch() -> bytes:
    pdf = _new_pdf()
    _link(pdf, A=pikepdf.Dictionary(S=pikepdf.Name("/YYYYYYYY"), F=pikepdf.String("calc.exe")))
    data = _save(pdf)
    assert data.count(b"/YYYYYYYY") == 1
    return data.replace(b"/YYYYYYYY", b"/Laun#63h")


def _open_action_chain() -> bytes:
    pdf = _new_pdf()
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.GoTo,
        D=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]),
        Next=pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.example"))
        ),
    )
    return _save(pdf)


def _open_action_launch() -> bytes:
    pdf = _new_pdf()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    return _save(pdf)


def _document_aa() -> bytes:
    pdf = _new_pdf()
    pdf.Root.AA = pikepdf.Dictionary(
        WC=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.example"))
    )
    return _save(pdf)


def _page_aa() -> bytes:
    pdf = _new_pdf()
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.example"))
    )
    return _save(pdf)


def _annotation_aa() -> bytes:
    pdf = _new_pdf()
    _link(
        pdf,
        AA=pikepdf.Dictionary(
            E=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.example"))
        ),
    )
    return _save(pdf)


def _field_aa() -> bytes:
    pdf = _new_pdf()
    _widget(
        pdf,
        AA=pikepdf.Dictionary(
            K=pikepdf.Dictionary(S=pikepdf.Name.ResetForm),
        ),
    )
    return _save(pdf)


def _embedded_file() -> bytes:
    pdf = _new_pdf()
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 payload")
    return _save(pdf)


def _file_attachment_annotation() -> bytes:
    pdf = _new_pdf()
    stream = pikepdf.Stream(pdf, b"MZ\x90\x00 payload")
    spec = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String("a.exe"), EF=pikepdf.Dictionary(F=stream)
    )
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=pikepdf.Array([10, 10, 30, 30]),
        FS=spec,
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(annotation)])
    return _save(pdf)


def _javascript_in_object_stream() -> bytes:
    pdf = _new_pdf()
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("start"), pdf.make_indirect(_js())])
        )
    )
    data = _save(pdf, object_streams=True)
    assert b"JavaScript" not in data
    assert b"/JS" not in data
    return data


def _unreferenced_javascript() -> bytes:
    """An incremental update adds a JavaScript action that nothing points to."""
    pdf = _new_pdf()
    root = pdf.Root.objgen[0]
    data = _save(pdf)
    previous = int(data.rsplit(b"startxref", 1)[1].split()[0])
    size = int(pikepdf.open(io.BytesIO(data)).trailer.Size)
    obj = b"%d 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n" % size
    xref_at = len(data) + len(obj)
    update = (
        obj
        + b"xref\n%d 1\n%010d 00000 n \n" % (size, len(data))
        + b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size + 1, root, previous)
        + b"startxref\n%d\n%%%%EOF\n" % xref_at
    )
    return data + update


def _xfa() -> bytes:
    pdf = _new_pdf()
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array(),
        XFA=pikepdf.Stream(pdf, b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"),
    )
    return _save(pdf)


def _submit_form() -> bytes:
    pdf = _new_pdf()
    _widget(
        pdf,
        A=pikepdf.Dictionary(
            S=pikepdf.Name.SubmitForm, F=pikepdf.String("http://collect.example/")
        ),
    )
    return _save(pdf)


def _action(kind: str, **entries: Any) -> Callable[[], bytes]:
    def build() -> bytes:
        pdf = _new_pdf()
        _link(pdf, A=pikepdf.Dictionary(S=pikepdf.Name(kind), **entries))
        return _save(pdf)

    return build


def _rich_media() -> bytes:
    pdf = _new_pdf()
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.RichMedia,
        Rect=pikepdf.Array([10, 10, 300, 300]),
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(annotation)])
    return _save(pdf)


PDF_TRICKS: dict[str, Callable[[], bytes]] = {
    "escaped-javascript-name": _escaped_javascript,
    "escaped-launch-name": _escaped_launch,
    "open-action-chain": _open_action_chain,
    "open-action-launch": _open_action_launch,
    "document-additional-action": _document_aa,
    "page-additional-action": _page_aa,
    "annotation-additional-action": _annotation_aa,
    "form-field-additional-action": _field_aa,
    "embedded-file": _embedded_file,
    "file-attachment-annotation": _file_attachment_annotation,
    "javascript-in-object-stream": _javascript_in_object_stream,
    "unreferenced-javascript-object": _unreferenced_javascript,
    "xfa-form": _xfa,
    "submit-form": _submit_form,
    "import-data": _action("/ImportData", F=pikepdf.String("data.fdf")),
    "remote-go-to": _action("/GoToR", F=pikepdf.String("other.pdf"), D=pikepdf.Array([0])),
    "embedded-go-to": _action("/GoToE", T=pikepdf.Dictionary(R=pikepdf.Name.C)),
    "rich-media": _rich_media,
}


def clean_pdf_bytes() -> bytes:
    """What a word processor writes: opens at the first page, a web link, compressed."""
    pdf = _new_pdf()
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    _link(pdf, A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://tema.dz")))
    return _save(pdf, object_streams=True)
