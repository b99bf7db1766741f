"""Serialise each PDF object once when WeasyPrint writes the file.

A report's PDF carries a fixed file identifier (``render.pdf_identifier``). With one, pydyf 0.13 builds the
identifier's second half by serialising every object a second time, so every content stream and font is
compressed twice (zlib level 9) and every dictionary is turned into bytes twice: about a fifth of the Python
calls of ``write_pdf``, ~5 % of a national report's render. :func:`serialise_once`, given to ``write_pdf`` as its
``finisher`` (WeasyPrint's hook for the finished ``pydyf.PDF``, called before the file is written), replaces
each object by its bytes, which both passes then read. The file is byte-for-byte the same (a test compares).
"""

from __future__ import annotations

from typing import Any

import pydyf


class SerialisedObject(pydyf.Object):
    """A PDF object frozen as the bytes pydyf would write for it; same number, generation and kind."""

    def __init__(self, source: pydyf.Object) -> None:
        super().__init__()
        self.number = source.number
        self.generation = source.generation
        self.free = source.free
        self._compressible = source.compressible
        self._data = source.data

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return self._compressible


def serialise_once(document: Any, pdf: pydyf.PDF) -> None:
    """``write_pdf(finisher=...)``: every object in ``pdf`` is complete here, so it is serialised now, once."""
    pdf.objects[:] = [obj if obj.free == "f" else SerialisedObject(obj) for obj in pdf.objects]
