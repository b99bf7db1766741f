"""Serialise each PDF object once when WeasyPrint writes the file.

A report's PDF carries a fixed file identifier (``render.pdf_identifier``). With one, pydyf 0.13 builds the
identifier's second half by serialising every object a second time, so every content stream and font is
compressed twice (zlib level 9) and every dictionary is turned into bytes twice (benchmarks/README.md has what
that cost). :func:`serialise_once`, given to ``write_pdf`` as its
``finisher`` (WeasyPrint's hook for the finished ``pydyf.PDF``, called before the file is written), replaces
each object by its bytes, which both passes then read. The file is byte-for-byte the same (a test compares).

That relies on how pydyf 0.13 writes a file. On any other pydyf :func:`serialise_once` does nothing (and says so
once in the log): an upgrade makes rendering slower, not wrong.
"""

from __future__ import annotations

import logging
from typing import Any

import pydyf

LOGGER = logging.getLogger(__name__)
WRITTEN_FOR = "0.13"  # pydyf's major.minor version, as pinned in pyproject.toml
_WARNED: set[str] = set()


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


def written_for(version: str) -> bool:
    """Whether ``version`` of pydyf is the one :func:`serialise_once` was written (and tested) against."""
    return version.split(".")[:2] == WRITTEN_FOR.split(".")


def serialise_once(document: Any, pdf: pydyf.PDF) -> None:
    """``write_pdf(finisher=...)``: every object in ``pdf`` is complete here, so it is serialised now, once."""
    version = pydyf.__version__
    if not written_for(version):
        if version not in _WARNED:
            _WARNED.add(version)
            LOGGER.warning("pydyf %s är inte version %s: PDF-objekten serialiseras som pydyf själv gör det, "
                           "två gånger (långsammare, men rätt)", version, WRITTEN_FOR)
        return
    pdf.objects[:] = [obj if obj.free == "f" else SerialisedObject(obj) for obj in pdf.objects]
