"""Writing files so that a crash never leaves half a file, a spreadsheet never runs a cell, and a CSV extract
never carries a personnummer (every one passes ``privacy.last_gate_frame``)."""

from __future__ import annotations

import glob
import os
import socket
import tempfile
from pathlib import Path

import pandas as pd

from samverkan.privacy import last_gate_frame

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _umask() -> int:
    # Read, not set-and-restore: setting it would race with files other threads create meanwhile.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _writer_tag() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove temp files of ``path`` left by writers on this host that are dead (killed mid-write).

    A temp file is named ``.<name>.<host>-<pid>.<random>.tmp``; one whose process
    still runs, or that was written on another host, is left alone.
    """
    path = Path(path)
    host = socket.gethostname()
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        writer = tmp.name[len(path.name) + 2:].rsplit(".", 2)[0]
        owner, _, pid = writer.rpartition("-")
        if owner == host and pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary file in the same folder, flush to disk, then rename over ``path``.

    Temp files that a killed earlier writer left for the same path are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_writer_tag()}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); the real file gets the usual mode, as open() would give it.
        os.fchmod(fd, 0o666 & ~_umask())
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


# The way Swedish Excel and LibreOffice open a double-clicked CSV: a BOM so UTF-8 is recognised, semicolons
# (the Swedish list separator) and a decimal comma. ``read_csv_extract`` reads them back.
CSV_ENCODING = "utf-8-sig"
CSV_SEPARATOR = ";"
CSV_DECIMAL = ","


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """CSV for Swedish Excel: UTF-8 with BOM, semicolons, decimal comma, a header, empty cells for missing values;
    personnummer masked (the last gate) and formula-like cells made inert."""
    text = formula_safe(last_gate_frame(frame)).to_csv(index=False, lineterminator="\n", sep=CSV_SEPARATOR,
                                                       decimal=CSV_DECIMAL)
    return write_bytes_atomic(path, text.encode(CSV_ENCODING))


def read_csv_extract(path: Path, **options: object) -> pd.DataFrame:
    """An extract written by ``write_csv_atomic``, read back with the same encoding, separator and decimal."""
    return pd.read_csv(path, sep=CSV_SEPARATOR, decimal=CSV_DECIMAL, encoding=CSV_ENCODING, **options)
