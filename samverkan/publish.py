"""Output folders that are either complete or marked: staging, publishing, versions and adoption.

A run writes into its own staging folder beside the year's folder (``<år>.korning-<run id>``) and the last
step moves it into place. The folder it replaces is renamed away first and removed after, so a reader finds
either the old folder or the new one, each with the manifest of the run that wrote it. A run that never gets
there leaves its staging folder behind with status ``misslyckad`` or ``avbruten`` in its ``run.json``; the
published folder is not touched.

Versions: ``out/2024`` is version 1, ``out/2024-v2`` version 2 and so on. A run publishes into the first
version that is not adopted (*fastställd*); adopting freezes a version (read-only files, ``adopted`` in the
manifest), so the next official run of the year writes the next version and a comparison with the adopted one.

A run limited to some förbund replaces only their report folders and their rows of ``reports.csv``; the folder's
manifest stays the complete run's, with the limited run added under ``limited_runs`` (samverkan/manifest.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from samverkan.compare import CompareError, compare_outputs, comparison_lines, write_comparison
from samverkan.files import write_bytes_atomic
from samverkan.manifest import (
    ABANDONED,
    DONE,
    EARLIER,
    LIMITED_RUNS,
    MANIFEST,
    RUNNING,
    file_hashes,
    is_adopted,
    now,
    own_files,
    read_manifest,
    record,
    scenario_of,
    start_manifest,
    with_limited_run,
    write_manifest,
)

STAGING = ".korning-"
REPLACED = ".ersatt-"
NOTE = "LASMIG.txt"
# Where a limited run's own whole-year files go (its reports.csv, its extracts of a few förbund): the published
# year keeps the national ones, so they are kept beside, for traceability, not in their place.
LIMITED = "_avgransad"
REPORTS_INDEX = "reports.csv"


def version_folder(published: Path, number: int) -> Path:
    published = Path(published)
    return published if number == 1 else published.with_name(f"{published.name}-v{number}")


def versions(published: Path, scenario: str | None = None) -> list[Path]:
    """The year's existing version folders of one lineage (``scenario``, "" the official year; left out: the one
    ``published`` itself belongs to), oldest first; a gap ends the sequence. A folder at a version's name that a
    run of another lineage wrote (a scenario given ``out/2024-v3``) is skipped: never reused, compared or adopted."""
    owner = scenario_of(read_manifest(published)) if scenario is None else scenario
    return [folder for folder, of in _named_versions(published) if of == owner]


def _named_versions(published: Path) -> list[tuple[Path, str]]:
    found, number = [], 1
    while (folder := version_folder(published, number)).is_dir():
        found.append((folder, scenario_of(read_manifest(folder))))
        number += 1
    return found


def latest_version(published: Path, scenario: str | None = None) -> Path | None:
    return (versions(published, scenario) or [None])[-1]


def target_version(published: Path, scenario: str | None = None) -> tuple[Path, int]:
    """Where the next run of the year publishes: the first version neither adopted nor another lineage's."""
    owner = scenario_of(read_manifest(published)) if scenario is None else scenario
    number = 1
    while is_adopted(manifest := read_manifest(version_folder(published, number))) or (
            manifest is not None and scenario_of(manifest) != owner):
        number += 1
    return version_folder(published, number), number


def staging_folder(published: Path, run_id: str) -> Path:
    published = Path(published)
    return published.with_name(f"{published.name}{STAGING}{run_id}")


def staging_folders(published: Path) -> list[Path]:
    published = Path(published)
    if not published.parent.is_dir():
        return []
    prefix = f"{published.name}{STAGING}"
    return sorted(p for p in published.parent.iterdir() if p.is_dir() and p.name.startswith(prefix))


def mark(folder: Path, status: str, reason: str) -> dict:
    """Say in the staging folder's manifest that its run ended without publishing, and why."""
    return record(folder, status=status, reason=reason, ended_at=now())


def abandon_others(published: Path, keep: Path, by_run: str) -> list[Path]:
    """Mark every other staging folder of the year still ``pågår`` as ``avbruten``.

    Called by a run holding the year's lock (pipelines/run_lock.py): no other run of the year is running, so a
    staging folder still under way belongs to a run that was killed."""
    marked = []
    for folder in staging_folders(published):
        manifest = read_manifest(folder) or {}
        if folder != Path(keep) and manifest.get("status", RUNNING) == RUNNING:
            mark(folder, ABANDONED, f"körningen slutade utan att publicera; upptäckt av körning {by_run}")
            # Its writers are dead too: their temporary files are never finished outputs.
            for temp in folder.rglob(".*.tmp"):
                temp.unlink(missing_ok=True)
            marked.append(folder)
    return marked


def ensure_staging(published: Path, run_id: str, root_run_id: str, year: int, steps: str, scenario: str = ""
                   ) -> Path:
    """The run's staging folder, created with its manifest (naming ``scenario``, a scenario's run) on first use.
    A re-execution of a failed run shares its root's folder (the steps that succeeded left their files there)
    and takes it over."""
    staging = staging_folder(published, root_run_id)
    manifest_path = staging / MANIFEST
    if manifest_path.exists() and (read_manifest(staging) or {}).get("run_id") == run_id:
        return staging
    restore_interrupted(published)
    if start_manifest(staging, run_id, year, steps, scenario):
        abandon_others(published, staging, run_id)
    elif (read_manifest(staging) or {}).get("run_id") != run_id:
        record(staging, run_id=run_id, status=RUNNING, reexecution_of=root_run_id, reason=None)
    return staging


def restore_interrupted(published: Path) -> None:
    """Finish a swap a killed publish left half done: a renamed-away folder is put back when nothing took its
    place, and removed when the new folder is there."""
    published = Path(published)
    if not published.parent.is_dir():
        return
    for old in published.parent.iterdir():
        name, sep, _ = old.name.lstrip(".").partition(REPLACED)
        if not (old.is_dir() and old.name.startswith(".") and sep and re.fullmatch(
                rf"{re.escape(published.name)}(-v\d+)?", name)):
            continue
        place = old.with_name(name)
        # Every step process of the next run may get here at once: the first one does it, the others find it done.
        if place.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.rename(old, place)


def _copy(source: Path, target: Path, link: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if link:
        os.link(source, target)
    else:
        shutil.copy2(source, target)
        target.chmod(target.stat().st_mode | stat.S_IWUSR)


def _report_folders(*manifests: dict | None, names: list[str]) -> set[str]:
    folders = set()
    for manifest in manifests:
        for forbund, entry in ((manifest or {}).get("reports") or {}).items():
            if forbund in names and "/" in entry.get("pdf", ""):
                folders.add(entry["pdf"].split("/", 1)[0])
    return folders


def _note(run_id: str, earlier_run: str, names: list[str], when: str) -> bytes:
    listed = "\n".join(f"  {n}" for n in names)
    return (f"Filerna i den här mappen låg i mappen som körning {earlier_run} publicerade men skrevs inte av "
            f"körning {run_id}, som ersatte mappen {when} (till exempel ett förbund som inte längre finns i "
            "inkorgen).\n"
            f"De hör inte till den publicerade körningen och ligger här bara för spårbarhet:\n{listed}\n"
            ).encode()


@dataclass(frozen=True)
class Published:
    folder: Path
    version: int
    moved_aside: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # against the adopted version, from version 2 on
    written: list[str] = field(default_factory=list)  # a limited run: the files of the folder it wrote


@dataclass
class _Gathered:
    moved: list[str] = field(default_factory=list)  # moved aside (a complete run)
    carried: list[str] = field(default_factory=list)  # kept as they were (a limited run)
    written: list[str] = field(default_factory=list)  # a limited run's files in the folder, reports.csv merged
    removed: list[str] = field(default_factory=list)  # its förbund's files it did not write again
    set_aside: str | None = None  # where its own whole-year files lie


def _gather(staging: Path, source: Path, run_id: str, scope: list[str] | None, complete: bool, link: bool
            ) -> _Gathered:
    """Bring into ``staging`` what it keeps of ``source`` (the folder it replaces, whose files are ``link``ed,
    or the adopted version it follows, which stays as it is and is copied): moved aside (complete run) or
    carried over (limited run)."""
    own = set(own_files(staging))
    previous = read_manifest(source)
    earlier_run = (previous or {}).get("run_id", "okand")
    skip = _report_folders(previous, read_manifest(staging), names=scope or [])
    gathered = _Gathered()
    if scope:
        aside = _set_aside_limited(staging, source, own, skip, run_id)
        own -= aside
        gathered.set_aside = f"{LIMITED}/{run_id}/" if aside else None
    for name in own_files(source):
        if name in own:
            continue
        if complete and not scope:
            # Only a folder being replaced has files to move aside; a new version beside an adopted one
            # replaces nothing (the adopted folder stays as it is).
            if link:
                _copy(source / name, staging / EARLIER / earlier_run / name, link)
                gathered.moved.append(name)
        elif name.split("/", 1)[0] not in skip:
            _copy(source / name, staging / name, link)
            gathered.carried.append(name)
        else:
            gathered.removed.append(name)
    if (source / EARLIER).is_dir():
        for path in sorted(p for p in (source / EARLIER).rglob("*") if p.is_file()):
            _copy(path, staging / path.relative_to(source), link)
    if gathered.moved:
        write_bytes_atomic(staging / EARLIER / earlier_run / NOTE, _note(run_id, earlier_run, gathered.moved, now()))
    if scope:
        gathered.written = sorted(own)
        if _merge_reports_index(staging, run_id):  # rewritten: the limited run's, not carried over
            gathered.carried.remove(REPORTS_INDEX)
            gathered.written = sorted({*gathered.written, REPORTS_INDEX})
    return gathered


def _set_aside_limited(staging: Path, source: Path, own: set[str], skip: set[str], run_id: str) -> set[str]:
    """A limited run's files outside its förbund's report folders that the published year also has (the
    national extracts, reports.csv) go to ``_avgransad/<run id>/``; the year's own stay in place."""
    aside = {name for name in own if name.split("/", 1)[0] not in skip and (source / name).is_file()}
    for name in sorted(aside):
        target = staging / LIMITED / run_id / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)
    return aside


def _merge_reports_index(staging: Path, run_id: str) -> bool:
    """The year's reports.csv with the limited run's rows in place of its förbund's old ones; False when there
    was nothing to merge."""
    from samverkan.files import read_csv_extract, write_csv_atomic

    limited, year_index = staging / LIMITED / run_id / REPORTS_INDEX, staging / REPORTS_INDEX
    if not (limited.is_file() and year_index.is_file()):
        return False
    import pandas as pd

    new, old = read_csv_extract(limited), read_csv_extract(year_index)
    rows = {r["forbund"]: r for r in old.to_dict("records")}
    rows.update({r["forbund"]: r for r in new.to_dict("records")})
    order = [*old["forbund"], *(n for n in new["forbund"] if n not in set(old["forbund"]))]
    year_index.unlink()  # may be a hard link to the folder being replaced: never write through it
    write_csv_atomic(pd.DataFrame([rows[n] for n in order], columns=old.columns), year_index)
    return True


def _differences(adopted: Path, staging: Path, target: Path) -> list[str]:
    """Compare the new version with the adopted one it follows; ``comparison.csv`` and ``.md`` in ``staging``."""
    try:
        comparison = compare_outputs(adopted, staging)
    except CompareError as exc:
        return exc.lines
    comparison = dataclasses.replace(comparison, a=Path(adopted.name), b=Path(target.name))
    write_comparison(comparison, staging)
    return comparison_lines(comparison)


def publish(staging: Path, published: Path, run_id: str, scope: list[str] | None = None,
            complete: bool = True) -> Published:
    """Move the run's staging folder into place as the year's current version.

    ``complete``: the run wrote everything the year has (every step, every förbund); files of the folder it
    replaces that it did not write are moved aside into ``_tidigare/<earlier run id>/`` with a note. Otherwise
    (``scope``, the förbund of a limited run, or a run of some steps) the files the run did not write are kept,
    except those of the förbund in ``scope``, which the run replaces."""
    staging, published = Path(staging), Path(published)
    restore_interrupted(published)
    lineage = scenario_of(read_manifest(staging))
    target, number = target_version(published, lineage)
    source = target if target.is_dir() else latest_version(published, lineage)
    gathered = _Gathered() if source is None else _gather(staging, source, run_id, scope, complete,
                                                          link=source == target)
    own = read_manifest(staging) or {}
    base = read_manifest(source) if scope and source is not None else None
    if base is not None and base.get("status") == DONE:
        # The folder stays the complete run's; the limited run is one more entry (samverkan/manifest.py).
        manifest = with_limited_run(base, {**own, "run_id": run_id}, scope or [], gathered.written,
                                    gathered.removed, gathered.set_aside)
        manifest["reports"] = {**(base.get("reports") or {}), **(own.get("reports") or {})}
    else:
        manifest = {**own, "run_id": run_id, "finished_at": now(), "scope": sorted(scope) if scope else "alla",
                    "complete": bool(complete and not scope), "moved_aside": gathered.moved,
                    "carried_over": gathered.carried}
        if scope and source is not None:  # the other förbund's reports stay as they were
            manifest["reports"] = {**((base or {}).get("reports") or {}), **(own.get("reports") or {})}
    manifest.update(status=DONE, version=number, reason=None)
    differences: list[str] = []
    # The adopted version it follows: its own lineage's last one, whatever folder of another lies between.
    earlier = [folder for folder in versions(published, lineage) if folder != target]
    if number > 1 and earlier:
        adopted = earlier[-1]
        differences = _differences(adopted, staging, target)
        manifest["based_on"] = {"folder": adopted.name, "run_id": (read_manifest(adopted) or {}).get("run_id")}
        manifest["differences"] = differences
    manifest["files"] = file_hashes(staging)
    write_manifest(staging, manifest)
    _swap(staging, target, run_id)
    return Published(target, number, gathered.moved, gathered.carried, differences, gathered.written)


def _swap(staging: Path, target: Path, run_id: str) -> None:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}{REPLACED}{run_id}")
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old)


class AdoptError(ValueError):
    """A year that cannot be adopted; the message is the Swedish reason."""


def _freeze(folder: Path) -> None:
    # Read-only for everyone: the adopted files cannot be replaced by mistake, not even by their owner's tools.
    for path in sorted(folder.rglob("*"), reverse=True):
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    folder.chmod(folder.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def adopt(published: Path, by: str = "") -> tuple[Path, dict]:
    """Adopt (*fastställ*) the official year's latest version: mark its manifest and make it read-only. A
    scenario's folder, or a run limited to some förbund or steps, is refused, saying which run it is."""
    published = Path(published)
    if scenario := scenario_of(read_manifest(published)):
        raise AdoptError(f"{published} är scenariot {scenario}:s utdata, inte det officiella årets; ett scenario "
                         "kan inte fastställas")
    folder = latest_version(published, "")
    if folder is None:
        raise AdoptError(f"{published} finns inte: kör året först (samverkan run)")
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("status") != DONE:
        raise AdoptError(f"{folder} har ingen färdig körning (run.json saknas eller är inte klar) och kan inte "
                         "fastställas")
    if is_adopted(manifest):
        raise AdoptError(f"{folder} är redan fastställd {manifest['adopted']['at']}")
    if manifest.get("complete") is False:
        scope = manifest.get("scope")
        what = f"avgränsad till {', '.join(scope)}" if isinstance(scope, list) else "en körning av några steg"
        raise AdoptError(f"{folder} skrevs av körning {manifest.get('run_id', 'okänd')}, {what}, och kan inte "
                         "fastställas: kör hela året först (samverkan run utan --forbund)")
    manifest["adopted"] = {"at": now(), "by": by, "version": int(manifest.get("version", 1))}
    write_manifest(folder, manifest)
    _freeze(folder)
    return folder, manifest


def adopt_command(out: str, year: int, by: str = "") -> list[str]:
    """``samverkan adopt``: ``out`` is the year's folder or a template with ``{year}``; the lines to print."""
    published = Path(out.format(year=year) if "{year}" in out else out)
    folder, manifest = adopt(published, by)
    following, number = target_version(published, "")
    limited = [entry.get("run_id") for entry in manifest.get(LIMITED_RUNS) or []]
    amended = f", för några förbund ersatt av körning {', '.join(map(str, limited))}" if limited else ""
    return [f"fastställd: {folder} (version {manifest['adopted']['version']}, körning {manifest['run_id']}{amended}); "
            "filerna är skrivskyddade",
            f"nästa officiella körning av {year} skrivs till {following} (version {number}) med en jämförelse "
            f"mot {folder.name} i comparison.md",
            *(f"hoppade över {other}: scenariot {of}:s utdata, ingen version av det officiella året"
              for other, of in _named_versions(published) if of)]
