"""``samverkan profile check``: what each file of an inbox and each of its columns would become under a profile.

Nothing is validated beyond the mapping: the point is to see, before a run, that every file lands in the
dataset meant, every column in the contract column meant, and how many values the value mapping recognises.
The lines are Swedish; ``ok`` is false when a file cannot be read or lacks a required column, or a file that
is likely data is not read at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samverkan.contract import DATASETS
from samverkan.overrides import RunFileError
from samverkan.privacy import mask_personal_numbers, shown_file_name
from samverkan.profile import (
    Profile,
    apply_profile,
    column_target,
    files_for,
    header_hints,
    load_profile,
    rename_columns,
    value_counts,
)
from samverkan.readers import ReadError, read_file
from samverkan.source_rows import SOURCE
from samverkan.unread import unread_files

# Missed values shown per column; the rest are counted.
SHOWN_MISSES = 5


@dataclass
class CheckReport:
    lines: list[str]
    ok: bool


def _file_lines(path: Path, dataset: str, profile: Profile | None) -> tuple[list[str], bool]:
    shown = shown_file_name(path.name)
    try:
        raw = read_file(path, dataset)
        mapped = apply_profile(raw.copy(), dataset, profile, path)
        renamed = rename_columns(raw.copy(), dataset, profile, shown)
    except ReadError as exc:
        return [f"{shown} → {dataset}: kan inte läsas: {exc.reason}"], False
    lines = [f"{shown} → {dataset} ({len(raw)} rader)"]
    unknown = []
    for header in (h for h in raw.columns if h not in SOURCE):
        target, why = column_target(dataset, header, profile)
        if target is None:
            unknown.append(header)
            lines.append(f"  {header!r} → {header_hints(dataset, [header])[0]}; används inte")
        else:
            lines.append(f"  {header!r} → {target} ({why})")
    missing = [c for c in DATASETS[dataset].required_columns if c not in mapped.columns]
    if missing:
        lines.append(f"  saknas (obligatoriska): {', '.join(missing)}; filen kan inte tas emot")
    for column, (hit, missed, examples) in value_counts(renamed, dataset, profile).items():
        line = f"  värden i {column}: {hit} med träff i profilen, {missed} utan"
        if examples:
            line += f" (t.ex. {', '.join(repr(e) for e in examples[:SHOWN_MISSES])})"
        lines.append(line)
    return lines, not missing


def check_inbox(inbox: Path, profile_file: str | Path | None) -> CheckReport:
    """The report for ``inbox`` read with ``profile_file`` (or none: the contract and its Swedish names alone)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return CheckReport([f"inkorgen {inbox} finns inte eller är ingen mapp"], False)
    try:
        profile = load_profile(profile_file) if profile_file else None
    except RunFileError as exc:
        return CheckReport(exc.lines, False)
    lines = [f"importprofil: {profile.name} ({profile.path})" if profile
             else "ingen importprofil: kontraktets kolumnnamn och de svenska namnen gäller", ""]
    ok = True
    for dataset in DATASETS:
        for path in files_for(inbox, dataset, profile):
            file_lines, file_ok = _file_lines(path, dataset, profile)
            lines += file_lines
            ok &= file_ok
    unread = unread_files(inbox, profile, explicit=bool(profile_file))
    if unread:
        lines += ["", "läses inte:"]
        lines += [f"  {u.name}: {u.reason}" for u in unread]
        ok &= not any(u.notable for u in unread)
    lines += ["", "inga fel i mappningen" if ok else "rätta profilen eller filerna ovan och kontrollera igen"]
    return CheckReport([mask_personal_numbers(line) for line in lines], ok)
