"""Header cells of the PDF's tables carry their scope, as PDF/UA-1 asks (7.5, Table headers).

WeasyPrint 70 tags ``<th>`` as ``/TH`` but writes no ``/Scope`` whatever the HTML says, so a checker cannot tell
which cells a header belongs to. Every template header sits in ``<thead>`` (a column header, ``scope="col"``) or
starts a body row (a row header, ``scope="row"``), so the scope follows from where the cell sits in the structure
tree: ``/TH`` → ``/TR`` → ``/THead`` is a column header, under ``/TBody`` or ``/TFoot`` a row header.

:func:`add_header_scope` is a ``write_pdf`` finisher (WeasyPrint's hook for the finished ``pydyf.PDF``): it adds the
attribute before the file is written, so nothing is parsed or written twice and the bytes stay the same run to run.
"""

from __future__ import annotations

from typing import Any

import pydyf

SCOPES = {"/THead": "/Column", "/TBody": "/Row", "/TFoot": "/Row"}


def _parent(objects: list[pydyf.Object], element: pydyf.Dictionary) -> pydyf.Object | None:
    reference = element.get("P")
    if not isinstance(reference, bytes | str):
        return None
    number = int(reference.split()[0])
    return objects[number] if 0 < number < len(objects) else None


def header_scope(objects: list[pydyf.Object], header: pydyf.Dictionary) -> str | None:
    """``/Column`` or ``/Row`` for a ``/TH`` element from its row's group; None where the tree says neither."""
    row = _parent(objects, header)
    group = _parent(objects, row) if isinstance(row, pydyf.Dictionary) else None
    if isinstance(group, pydyf.Dictionary):
        return SCOPES.get(str(group.get("S")))
    return None


def add_header_scope(document: Any, pdf: pydyf.PDF) -> None:
    """Give every ``/TH`` structure element its ``/Scope`` (a ``write_pdf`` finisher)."""
    objects = pdf.objects
    for element in objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("S") != "/TH":
            continue
        scope = header_scope(objects, element)
        if scope is None:
            continue
        attributes = element.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = scope
