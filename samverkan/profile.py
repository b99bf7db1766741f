"""Import profiles: a förbund's own export layout mapped onto the contract, in YAML, without code.

A profile says which files hold which dataset (file-name patterns), what each of its columns is called
(column mapping), what its values mean (value mapping), how it writes dates and decimals. It is applied to
the raw text frames right after reading and before ``samverkan.conform``, so every rule, message and count
after it is the same as for a file written in the contract's own layout::

    name: Vårt ärendesystem
    files:
      participants: ["deltagare*.csv", "export_*.xlsx"]
    columns:
      participants:
        Löpnummer: participant_id
    values:
      participants:
        gender: {"1": K, "2": M}
    date_formats: ["%d/%m/%Y"]
    decimal: ","

Without a profile the Swedish header names and code labels of ``samverkan.aliases`` still apply. The profile
used is ``--profile FILE`` (the ``profile_file`` setting) or else ``profile.yaml`` in the inbox. Every problem
in a profile is one Swedish line naming the file (and the YAML line), all of them at once.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from samverkan.aliases import code_table, did_you_mean, fold, header_candidates, header_table
from samverkan.conform import map_unique, support_codes
from samverkan.contract import DATASETS
from samverkan.overrides import RunFileError, read_yaml, unknown_keys
from samverkan.privacy import shown_file_name
from samverkan.readers import dataset_files
from samverkan.source_rows import SOURCE, ReadError
from samverkan.support import parse_support

PROFILE_FILE = "profile.yaml"
SHIPPED = Path(__file__).parent / "data" / "profiles"
ALLOWED_KEYS = {"name": None, "description": None, "source": None, "files": None, "columns": None,
                "values": None, "date_formats": None, "decimal": None}
DECIMAL_MARKS = {",": "komma", ".": "punkt"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Profile:
    path: str
    name: str = ""
    # dataset -> file-name patterns (glob, case-insensitive)
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # dataset -> folded header in the file -> contract column
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    # dataset -> contract column -> folded value in the file -> value in the contract
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    decimal: str = ""


def _mapping(data: object, where: str, lines: list[str]) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        lines.append(f"{where} ska vara en samling nycklar, fick {type(data).__name__}")
        return {}
    return data


def _datasets(data: object, where: str, lines: list[str]) -> dict:
    found = _mapping(data, where, lines)
    for name in found:
        if name not in DATASETS:
            lines.append(f"{where}: okänt dataset {name!r} (kända: {', '.join(DATASETS)})")
    return {k: v for k, v in found.items() if k in DATASETS}


def _value_target(dataset: str, column: str, source: str, target: object, where: str,
                  lines: list[str]) -> str | None:
    spec = DATASETS[dataset].column(column)
    text = "" if target is None else str(target).strip()
    if spec.type == "code" and text:
        code = code_table(spec.codes).get(fold(text))
        if code is None:
            lines.append(f"{where}: {source!r} ska bli {text!r}, som inte är en kod för {column} "
                         f"(tillåtna: {', '.join(spec.codes)})")
        return code
    if spec.type == "support" and text:
        try:
            parse_support(support_codes(text))
        except ValueError as exc:
            lines.append(f"{where}: {source!r} ska bli {text!r}: {exc}")
            return None
        return support_codes(text)
    return text


def _check_date_format(pattern: object, where: str, lines: list[str]) -> str | None:
    text = str(pattern)
    if not any(part in text for part in ("%Y", "%y")) or "%d" not in text or not any(p in text for p in ("%m", "%b")):
        lines.append(f"{where}: datumformatet {text!r} ska ha år, månad och dag, t.ex. \"%d/%m/%Y\" eller "
                     "\"%Y%m%d\"")
        return None
    try:
        dt.datetime(2024, 2, 29).strftime(text)
    except ValueError as exc:
        lines.append(f"{where}: datumformatet {text!r} kan inte användas ({exc})")
        return None
    return text


def _parse_files(data: object, where: str, lines: list[str]) -> dict[str, tuple[str, ...]]:
    files: dict[str, tuple[str, ...]] = {}
    for dataset, patterns in _datasets(data, f"{where}: files", lines).items():
        patterns = [patterns] if isinstance(patterns, str) else patterns
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
            lines.append(f"{where}: files.{dataset} ska vara ett filnamnsmönster eller en lista av mönster, "
                         "t.ex. [\"deltagare*.xlsx\"]")
            continue
        files[dataset] = tuple(p.strip() for p in patterns)
    return files


def _parse_columns(data: object, where: str, lines: list[str]) -> dict[str, dict[str, str]]:
    columns: dict[str, dict[str, str]] = {}
    for dataset, mapping in _datasets(data, f"{where}: columns", lines).items():
        names = DATASETS[dataset].column_names
        table: dict[str, str] = {}
        for source, target in _mapping(mapping, f"{where}: columns.{dataset}", lines).items():
            if str(target) not in names:
                lines.append(f"{where}: columns.{dataset}: {source!r} ska bli {target!r}, som inte är en kolumn i "
                             f"{dataset} (kolumner: {', '.join(names)})")
            elif table.setdefault(fold(source), str(target)) != str(target):
                lines.append(f"{where}: columns.{dataset}: {source!r} anges två gånger")
        columns[dataset] = table
    return columns


def _parse_values(data: object, where: str, lines: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    values: dict[str, dict[str, dict[str, str]]] = {}
    for dataset, by_column in _datasets(data, f"{where}: values", lines).items():
        names = DATASETS[dataset].column_names
        for column, mapping in _mapping(by_column, f"{where}: values.{dataset}", lines).items():
            if column not in names:
                lines.append(f"{where}: values.{dataset}: {column!r} är ingen kolumn i {dataset} "
                             f"(kolumner: {', '.join(names)}); ange kontraktets kolumnnamn")
                continue
            table = {}
            at = f"{where}: values.{dataset}.{column}"
            for source, target in _mapping(mapping, at, lines).items():
                value = _value_target(dataset, column, str(source), target, at, lines)
                if value is not None:
                    table[fold(source)] = value
            values.setdefault(dataset, {})[column] = table
    return values


def _parse_formats(data: dict, where: str, lines: list[str]) -> tuple[tuple[str, ...], str]:
    formats = data.get("date_formats") or []
    formats = [formats] if isinstance(formats, str) else formats
    if not isinstance(formats, list):
        lines.append(f"{where}: date_formats ska vara en lista av datumformat, t.ex. [\"%d/%m/%Y\"]")
        formats = []
    checked = tuple(f for f in (_check_date_format(p, f"{where}: date_formats", lines) for p in formats) if f)
    decimal = "" if data.get("decimal") is None else str(data.get("decimal"))
    if decimal and decimal not in DECIMAL_MARKS:
        lines.append(f"{where}: decimal ska vara \",\" (komma) eller \".\" (punkt), fick {decimal!r}")
    return checked, decimal


def parse_profile(data: dict, path: str) -> Profile:
    """A profile from its YAML document; every problem in it at once, as one ``RunFileError``."""
    where = f"importprofilen {path}"
    lines = unknown_keys(data, ALLOWED_KEYS, where)
    files = _parse_files(data.get("files"), where, lines)
    columns = _parse_columns(data.get("columns"), where, lines)
    values = _parse_values(data.get("values"), where, lines)
    formats, decimal = _parse_formats(data, where, lines)
    if lines:
        raise RunFileError(lines)
    return Profile(path, str(data.get("name") or Path(path).stem), files, columns, values, formats, decimal)


def load_profile(path: str | Path) -> Profile:
    data, _raw = read_yaml(Path(path), "importprofilen")
    return parse_profile(data, str(path))


def profile_path(inbox: Path, explicit: str | Path | None = None) -> Path | None:
    """The profile a run uses: ``explicit`` when given, else the inbox's ``profile.yaml``, else none."""
    if explicit:
        return Path(explicit)
    candidate = Path(inbox) / PROFILE_FILE
    return candidate if candidate.is_file() else None


def for_inbox(inbox: Path, explicit: str | Path | None = None) -> Profile | None:
    path = profile_path(inbox, explicit)
    return load_profile(path) if path is not None else None


# ------------------------------------------------------------------ which files, which columns, which values


def _skipped_name(name: str) -> bool:
    # Hidden files, Excel's lock files and the profile itself are never data, whatever a pattern says.
    return name.startswith((".", "~$")) or name == PROFILE_FILE


def pattern_owners(inbox: Path, profile: Profile | None) -> dict[str, list[str]]:
    """File name -> the datasets whose profile patterns match it."""
    owners: dict[str, list[str]] = {}
    if profile is None or not profile.files:
        return owners
    for path in Path(inbox).iterdir():
        if _skipped_name(path.name):
            continue
        for dataset, patterns in profile.files.items():
            if any(fnmatch.fnmatchcase(path.name.casefold(), p.casefold()) for p in patterns):
                owners.setdefault(path.name, []).append(dataset)
    return owners


def files_for(inbox: Path, dataset: str, profile: Profile | None) -> list[Path]:
    """The files of ``dataset``: those a profile pattern gives it alone, and those named after it that no
    pattern claims."""
    default = dataset_files(Path(inbox), dataset)
    owners = pattern_owners(inbox, profile)
    if not owners:
        return default
    found = [p for p in default if p.name not in owners]
    found += [Path(inbox) / name for name, datasets in owners.items() if datasets == [dataset]]
    return sorted(found, key=lambda p: p.name)


def column_target(dataset: str, header: str, profile: Profile | None) -> tuple[str | None, str]:
    """The contract column a header becomes and why ("profilen", "kontraktet", "svenskt namn"), or None."""
    key = fold(header)
    if profile is not None and key in profile.columns.get(dataset, {}):
        return profile.columns[dataset][key], "profilen"
    target = header_table(dataset).get(key)
    if target is None:
        return None, ""
    return target, "kontraktet" if fold(target) == key else "svenskt namn"


def rename_columns(frame: pd.DataFrame, dataset: str, profile: Profile | None, file: str) -> pd.DataFrame:
    renames: dict[str, str] = {}
    for header in frame.columns:
        if header in SOURCE:
            continue
        target, _why = column_target(dataset, header, profile)
        if target is not None:
            renames[header] = target
    targets: dict[str, list[str]] = {}
    for header in frame.columns:
        targets.setdefault(renames.get(header, header), []).append(header)
    twice = {t: hs for t, hs in targets.items() if len(hs) > 1}
    if twice:
        shown = "; ".join(f"{', '.join(repr(h) for h in hs)} blir alla {t}" for t, hs in twice.items())
        raise ReadError(file, f"flera kolumner betyder samma sak: {shown}. Ta bort en av dem", row=1)
    return frame.rename(columns=renames)


def _iso_date(value: str, formats: tuple[str, ...]) -> str:
    stripped = value.strip()
    if not stripped or _ISO_DATE.fullmatch(stripped[:10]):
        return value
    for pattern in formats:
        try:
            return dt.datetime.strptime(stripped, pattern).date().isoformat()
        except ValueError:
            continue
    return value


def _decimal(value: str, mark: str) -> str:
    # With the decimal mark known, the other mark can only be a thousands separator.
    return value.replace("." if mark == "," else ",", "")


def apply_profile(frame: pd.DataFrame, dataset: str, profile: Profile | None, path: Path) -> pd.DataFrame:
    """``frame`` (as a reader gives it from ``path``) with contract column names, mapped values, ISO dates and one
    decimal mark; a header or value the profile does not know is left as written, for the rules to name."""
    frame = rename_columns(frame, dataset, profile, shown_file_name(Path(path).name))
    # Only CSV holds numbers as written: XLSX and Parquet cells are numbers the reader wrote with a point.
    as_written = Path(path).suffix.lower() == ".csv"
    if profile is None:
        return frame
    spec = DATASETS[dataset]
    for column, table in profile.values.get(dataset, {}).items():
        if column in frame.columns and table:
            frame[column] = map_unique(frame[column], lambda v, t=table: t.get(fold(v), v))
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        if column.type == "date" and profile.date_formats:
            frame[column.name] = map_unique(frame[column.name], lambda v: _iso_date(v, profile.date_formats))
        if column.type in ("integer", "decimal") and profile.decimal and as_written:
            frame[column.name] = map_unique(frame[column.name], lambda v: _decimal(v, profile.decimal))
    return frame


def header_hints(dataset: str, unknown: list[str]) -> list[str]:
    """One "okänd kolumn 'x'; menade du 'Deltagar-ID' (participant_id)?" per header the contract does not know."""
    table = header_table(dataset)
    return [f"okänd kolumn {h!r}" + did_you_mean(h, header_candidates(dataset), table) for h in unknown]


def value_counts(frame: pd.DataFrame, dataset: str, profile: Profile | None) -> dict[str, tuple[int, int, list[str]]]:
    """Per mapped column of a renamed frame: cells the mapping hit, non-empty cells it missed, and the first
    few missed values."""
    out: dict[str, tuple[int, int, list[str]]] = {}
    if profile is None:
        return out
    for column, table in profile.values.get(dataset, {}).items():
        if column not in frame.columns:
            continue
        text = frame[column].astype("str").str.strip()
        folded = text.map({v: fold(v) for v in text.unique()})
        hit = folded.isin(set(table))
        missed = ~hit & (text != "")
        out[column] = (int(hit.sum()), int(missed.sum()), sorted(set(text[missed]))[:5])
    return out
