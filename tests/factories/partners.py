from __future__ import annotations

import datetime as dt
import io

import factory
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
