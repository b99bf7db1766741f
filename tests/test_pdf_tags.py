"""Table header cells carry /Scope in the PDF's structure tree (PDF/UA-1 7.5), and the bytes stay stable."""

from __future__ import annotations

import hashlib
import io

import pikepdf
from weasyprint import HTML

from reports.pdf_tags import add_header_scope

TABLE = """<html lang="sv"><head><title>t</title></head><body>
<table><thead><tr><th scope="col">Aktör</th><th scope="col">Netto</th></tr></thead>
<tbody><tr><th scope="row">Kommun</th><td>1</td></tr><tr><th scope="row">Region</th><td>2</td></tr></tbody>
<tfoot><tr><th scope="row">Summa</th><td>3</td></tr></tfoot></table></body></html>"""


def _pdf(finisher=add_header_scope) -> bytes:
    return HTML(string=TABLE).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, finisher=finisher,
                                        pdf_identifier=b"fixed-identifier")


def _scopes(data: bytes) -> list[str | None]:
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        def walk(node):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
                return
            if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") not in (None, "/StructElem"):
                return
            if node.get("/S") == "/TH":
                attributes = node.get("/A")
                scope = attributes.get("/Scope") if attributes is not None else None
                found.append(None if scope is None else str(scope))
            if "/K" in node:
                walk(node.K)

        walk(pdf.Root.StructTreeRoot.K)
    return found


def test_column_and_row_headers_get_their_scope():
    scopes = _scopes(_pdf())
    assert scopes == ["/Column", "/Column", "/Row", "/Row", "/Row"]


def test_without_the_finisher_weasyprint_writes_no_scope():
    # Guards the reason this module exists: when a WeasyPrint release writes /Scope itself, this fails and the
    # finisher can go.
    assert _scopes(_pdf(finisher=None)) == [None] * 5


def test_same_input_same_bytes():
    assert hashlib.sha256(_pdf()).digest() == hashlib.sha256(_pdf()).digest()
