"""``run.json``: which run wrote an output folder, from which inbox and parameters, and every file it holds.

A folder's manifest is written while its run is under way (status ``pågår``), gains the inbox fingerprint and
the parameter versions when the report inputs are gathered, the report hashes when the reports are collected,
and its final status and file list when the folder is published (samverkan/publish.py). Keys are sorted and
nothing but the run ids and the timestamps depends on when or where the run happened, so two runs of the same
inputs write manifests that differ only there.

A run limited to some förbund that publishes into a folder a complete run made leaves that run's fields as they
are (its ``run_id`` stays the folder's) and adds itself to ``limited_runs``: which förbund it replaced, when, from
which inbox, and which files of the folder it wrote or removed. ``files`` is always what the folder holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from samverkan.files import write_bytes_atomic
from samverkan.privacy import last_gate

MANIFEST = "run.json"
FORMAT = 1
# Moved-aside files of earlier runs; carried from folder to folder, never listed as the run's own files.
EARLIER = "_tidigare"
RUNNING = "pågår"
DONE = "klar"
FAILED = "misslyckad"
ABANDONED = "avbruten"
STATUSES = (RUNNING, DONE, FAILED, ABANDONED)
# The scenario a folder's run was of (pipelines/scenarios.py); absent for the official year, whose manifests
# stay as they were.
SCENARIO = "scenario"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _gated(value: object) -> object:
    # Everything a manifest holds leaves the pipeline: file names and reasons pass the last gate like any text.
    if isinstance(value, str):
        return last_gate(value)
    if isinstance(value, Mapping):
        return {last_gate(str(k)): _gated(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_gated(v) for v in value]
    return value


def manifest_bytes(manifest: Mapping) -> bytes:
    return (json.dumps(_gated(manifest), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, or None when it has none (or an unreadable one: such a folder is unmarked)."""
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(folder: Path, manifest: Mapping) -> Path:
    return write_bytes_atomic(Path(folder) / MANIFEST, manifest_bytes(manifest))


def start_manifest(folder: Path, run_id: str, year: int, steps: str, scenario: str = "") -> bool:
    """Create ``folder`` with a ``pågår`` manifest unless it has one; True when this call created it. A
    scenario's run names its scenario (``scenario``): an official year never takes such a folder for its own.

    Every step process of a run reaches this at about the same time; linking a finished temporary file into
    place lets exactly one of them win and no reader ever sees half a manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST
    if path.exists():
        return False
    temp = folder / f".{MANIFEST}.{os.getpid()}.start"
    fields = {"format": FORMAT, "run_id": run_id, "year": int(year), "status": RUNNING, "steps": steps,
              "started_at": now()}
    temp.write_bytes(manifest_bytes({**fields, **({SCENARIO: scenario} if scenario else {})}))
    try:
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    finally:
        temp.unlink(missing_ok=True)


def record(folder: Path, **fields: object) -> dict:
    """Merge ``fields`` into the folder's manifest (creating a bare one if it has none) and write it."""
    manifest = read_manifest(folder) or {"format": FORMAT}
    manifest.update(fields)
    write_manifest(folder, manifest)
    return manifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def own_files(folder: Path) -> list[str]:
    """Every file of the folder as a relative POSIX path, sorted; without the manifest, moved-aside files and
    the temporary files of writers still at work."""
    folder = Path(folder)
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] == EARLIER or rel.as_posix() == MANIFEST or path.name.startswith("."):
            continue
        found.append(rel.as_posix())
    return sorted(found)


def file_hashes(folder: Path, names: Iterable[str] | None = None) -> dict[str, dict]:
    folder = Path(folder)
    return {name: {"sha256": sha256_file(folder / name), "bytes": (folder / name).stat().st_size}
            for name in (own_files(folder) if names is None else names)}


def inbox_fingerprint(rows: list[dict]) -> str:
    """One hash over the inbox table (dataset, file, sha256, bytes), independent of row order."""
    import pandas as pd

    from samverkan.inbox import INBOX_COLUMNS, inbox_digest

    return inbox_digest(pd.DataFrame(rows, columns=INBOX_COLUMNS))


def inputs_fields(input_files: list[dict], versions: Mapping[str, object], software: str, pdf_variant: str
                  ) -> dict:
    """The manifest's inbox and parameter part, from the report inputs' ``input_files`` table and versions."""
    rows = [{k: (int(r[k]) if k == "bytes" else str(r[k])) for k in ("dataset", "file", "sha256", "bytes")}
            for r in input_files]
    rows.sort(key=lambda r: (r["dataset"], r["file"]))
    return {"inbox": rows, "inbox_sha256": inbox_fingerprint(rows),
            "parameters": {str(k): str(v) for k, v in versions.items()},
            "software": software, "pdf_variant": pdf_variant}


LIMITED_RUNS = "limited_runs"
# What a limited run's entry takes from its own manifest; the rest of run.json stays the complete run's.
LIMITED_FIELDS = ("run_id", "started_at", "inbox_sha256", "parameters", "software", "pdf_variant")


def with_limited_run(base: Mapping, own: Mapping, forbund: Iterable[str], written: Iterable[str],
                     removed: Iterable[str], set_aside: str | None) -> dict:
    """``base`` (the manifest of the folder a complete run made) amended by a run limited to ``forbund`` whose
    staging manifest is ``own``: one more entry in ``limited_runs``; ``written`` and ``removed`` are the files of
    the folder it wrote and the files of its förbund it dropped, ``set_aside`` where its own whole-year files lie.
    The entry lists the inbox only when it is not the complete run's."""
    entry = {key: own.get(key) for key in LIMITED_FIELDS}
    entry.update(forbund=sorted(forbund), finished_at=now(), written=sorted(written), removed=sorted(removed),
                 set_aside=set_aside)
    if own.get("inbox_sha256") != base.get("inbox_sha256"):
        entry["inbox"] = own.get("inbox")
    # An adopted folder is copied into a new version, which is not adopted.
    manifest = {key: value for key, value in base.items() if key != "adopted"}
    manifest[LIMITED_RUNS] = [*(base.get(LIMITED_RUNS) or []), entry]
    return manifest


def is_adopted(manifest: Mapping | None) -> bool:
    return bool(manifest and manifest.get("adopted"))


def scenario_of(manifest: Mapping | None) -> str:
    """The scenario whose run wrote the folder; "" for the official year (or a folder without a manifest)."""
    return str((manifest or {}).get(SCENARIO) or "")


def reusable_report(folder: Path | None, forbund: str, content_hash: str, pdf: str, html: str) -> dict | None:
    """The report entry of ``folder``'s manifest for ``forbund`` when it was rendered from the same content
    (``content_hash``), under the same file names, and both files are still exactly what the manifest lists."""
    manifest = read_manifest(folder) if folder is not None else None
    if manifest is None or manifest.get("status") != DONE:
        return None
    entry = (manifest.get("reports") or {}).get(forbund)
    files = manifest.get("files") or {}
    if not entry or entry.get("content_hash") != content_hash or (entry.get("pdf"), entry.get("html")) != (pdf, html):
        return None
    for name in (pdf, html):
        path = Path(folder) / name
        if name not in files or not path.is_file() or sha256_file(path) != files[name]["sha256"]:
            return None
    return entry
