"""XLSX files that are the same bytes for the same content.

openpyxl stamps the time of writing into the document properties and the zip entries, so two equal workbooks are
two different files, and a regenerated demo inbox would hash differently each time. ``deterministic`` rewrites
a workbook's archive with fixed document dates and entry times.
"""

from __future__ import annotations

import io
import re
import zipfile

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_W3CDTF = b"2000-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def deterministic(data: bytes) -> bytes:
    """The same workbook with fixed document dates and zip entry times, entries in their original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + FIXED_W3CDTF + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3  # as written on Linux, whatever system writes it
            target.writestr(entry, content)
    return out.getvalue()
