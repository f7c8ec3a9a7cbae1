"""Workbooks for the import tests: real ones, and decompression bombs made on the spot."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bomb(*, inflated_bytes: int = 150 * 1000 * 1000) -> bytes:
    """A valid workbook whose sheet is ``inflated_bytes`` of XML (rows of repeated cells)
    deflated to a few hundred kilobytes: what took a web process to 3.3 GB."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["email", "cc", "exam"]])))
    row = b"<row>" + b'<c t="inlineStr"><is><t>aaaaaaaa</t></is></c>' * 20 + b"</row>"
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    tail = b"</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in template.infolist():
            if info.filename != SHEET:
                out.writestr(info.filename, template.read(info.filename))
        with out.open(SHEET, "w", force_zip64=False) as sheet:
            sheet.write(head)
            chunk = row * 1000
            written = len(head)
            while written < inflated_bytes - len(tail):
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(tail)
    return buffer.getvalue()


def with_lying_sizes(content: bytes, *, member: str = SHEET, declared: int = 1000) -> bytes:
    """The same archive, where ``member`` declares an uncompressed size of ``declared``
    bytes (in its local header and in the central directory): a bomb that hides."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(member)
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    if not struct.unpack_from("<H", data, local + 6)[0] & 0x08:  # sizes not in a descriptor
        struct.pack_into("<I", data, local + 22, declared)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]).decode() == member:
            struct.pack_into("<I", data, position + 24, declared)
            break
        position = data.find(b"PK\x01\x02", position + 46)
    assert position != -1
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member).file_size == declared
    return bytes(data)
