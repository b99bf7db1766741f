"""The inbox as it was read: per file its dataset, shown name, size and the SHA-256 of the very bytes parsed.

Each ingest step publishes the files it read (``inbox_table``, from the bytes
``samverkan.source_rows.load_source`` handed to the parser), and the
``inbox_fingerprint`` asset joins them (``combine``) into the one record the
report's method appendix lists. Nothing downstream hashes the inbox again to
describe it. A step that still looks at the inbox compares it with the record
(``inbox_change``): a file replaced, added or removed during the run would
otherwise be reported with the hash of a file that was not the one read, so it
stops the run with one Swedish line naming the file.

A file the reader refused without reading (a link, a pipe, a file above the size
limit) has no hash: its size is what the folder entry says, and its SHA-256 is
empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samverkan.contract import DATASETS
from samverkan.physical import entry_size
from samverkan.privacy import shown_file_name
from samverkan.readers import ReadError, SourceFile, load_source

# The method appendix's column order (ReportInputs.input_files): kept, so the report's fingerprint is unchanged.
INBOX_COLUMNS = ["dataset", "file", "sha256", "bytes"]


class InboxChangedError(ValueError):
    """The inbox is not the one the run read; the message is ``inbox_change``'s line."""


@dataclass(frozen=True)
class InboxFile:
    dataset: str
    file: str  # shown name, personnummer masked
    sha256: str  # of the bytes parsed; "" for a file refused unread
    bytes: int


def unread(path: Path, dataset: str) -> InboxFile:
    """A file refused before any byte was read: the folder entry's size and no hash."""
    return InboxFile(dataset, shown_file_name(Path(path).name), "", entry_size(path))


def fingerprint(source: SourceFile, dataset: str) -> InboxFile:
    """A file as it was read: the SHA-256 ``load_source`` took of the very bytes handed to the parser."""
    return InboxFile(dataset, source.file, source.sha256, source.size)


def as_now(path: Path, dataset: str) -> InboxFile:
    """The file as the inbox holds it at this moment, fingerprinted exactly as the reader fingerprints it."""
    try:
        return fingerprint(load_source(path), dataset)
    except ReadError:
        return unread(path, dataset)


def inbox_table(files: Iterable[InboxFile]) -> pd.DataFrame:
    rows = [[f.dataset, f.file, f.sha256, int(f.bytes)] for f in files]
    return pd.DataFrame(rows, columns=INBOX_COLUMNS).astype({"dataset": "str", "file": "str", "sha256": "str",
                                                              "bytes": "int64"})


def combine(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every dataset's files in contract order, as one record of the inbox."""
    found = [tables[name] for name in DATASETS if name in tables and not tables[name].empty]
    return pd.concat(found, ignore_index=True)[INBOX_COLUMNS] if found else inbox_table([])


def inbox_digest(record: pd.DataFrame) -> str:
    """One SHA-256 over the whole record: equal for the same files with the same bytes, whatever the run and the
    order of the rows. The one digest of an inbox: the manifest, the national reference and the limited runs'
    reuse check all name an inbox by it."""
    rows = sorted([str(r.dataset), str(r.file), str(r.sha256), int(r.bytes)]
                  for r in record[INBOX_COLUMNS].itertuples())
    return hashlib.sha256(json.dumps(rows, ensure_ascii=True).encode()).hexdigest()


def inbox_as_now(inbox: Path, profile_file: str = "") -> pd.DataFrame:
    """The record the inbox would give if it were read at this moment (``OSError`` if the folder cannot be listed).
    For comparing with the record of a run, never for describing what a run read."""
    # Imported here: the profile module reads the inbox's own profile.yaml, which the readers need not know.
    from samverkan.profile import files_for, for_inbox

    profile = for_inbox(Path(inbox), profile_file or None)
    return inbox_table(as_now(path, dataset) for dataset in DATASETS
                       for path in files_for(Path(inbox), dataset, profile))


def _entries(record: pd.DataFrame) -> list[tuple[str, str, str, int]]:
    return [(str(r.dataset), str(r.file), str(r.sha256), int(r.bytes)) for r in record[INBOX_COLUMNS].itertuples()]


def _changes(recorded: list[tuple[str, str, str, int]], current: list[tuple[str, str, str, int]]) -> list[str]:
    changes = []
    order = {name: i for i, name in enumerate(DATASETS)}
    keys = sorted({r[:2] for r in recorded} | {c[:2] for c in current}, key=lambda k: (order.get(k[0], len(order)), k))
    # Two names can mask to the same shown name: compare all the entries of one (dataset, name) at once.
    for key in keys:
        before = [r for r in recorded if r[:2] == key]
        now = [c for c in current if c[:2] == key]
        if before == now:
            continue
        name = key[1]
        if not now:
            changes.append(f"{name} har tagits bort efter inläsningen")
        elif not before:
            changes.append(f"{name} har tillkommit efter inläsningen")
        else:
            changes.append(f"{name} har bytts ut efter inläsningen")
    return changes


def inbox_change(inbox: Path, record: pd.DataFrame, profile_file: str = "") -> str | None:
    """None when the inbox holds the files of ``record`` with the same names, sizes and bytes, and no others;
    otherwise one Swedish line naming the first file that changed."""
    try:
        current = inbox_as_now(inbox, profile_file)
    except OSError:
        return "inkorgen ändrades under körningen: mappen går inte längre att läsa; kör om året"
    recorded, now = _entries(record), _entries(current)
    if recorded == now:
        return None
    changes = _changes(recorded, now)
    if not changes:  # the same entries in another order: a record of this inbox, not a changed inbox
        return None
    more = len(changes) - 1
    tail = f" (och {more} {'fil' if more == 1 else 'filer'} till)" if more else ""
    return f"inkorgen ändrades under körningen: {changes[0]}{tail}; kör om året"
