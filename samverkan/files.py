"""Writing files so that a crash never leaves half a file and a spreadsheet never runs a cell."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary file in the same folder, flush to disk, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with an apostrophe (OWASP CSV injection)."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object):
            continue
        text = out[column].astype("str")
        numeric = pd.to_numeric(out[column], errors="coerce").notna()
        risky = text.str.startswith(FORMULA_START) & ~numeric & out[column].notna()
        if risky.any():
            out[column] = out[column].astype("object")
            out.loc[risky, column] = "'" + text[risky]
    return out


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """CSV in UTF-8 with a header, decimal point, empty cells for missing values."""
    data = formula_safe(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    return write_bytes_atomic(path, data)
