"""From inbox files to accepted rows and a quarantine, with nothing lost on the way.

``ingest_dataset`` reads every file of a dataset, converts it to the contract's
types and applies the row rules. A row with any problem goes to quarantine (one
quarantine row per problem, so a steward sees every reason); the others are
accepted. Whatever happens, ``rows_in == accepted + quarantined rows``.

The ``critical`` rules of ``samverkan.validation_rules`` make a dataset
unusable and are listed in ``dataset_errors`` with a message naming the file: a
file that cannot be read at all (its rows cannot be counted; the quarantine gets
one row for the file, ``source_row`` 0 or the row where reading stopped), a file
without a required column (its rows are read, counted and all quarantined), no
projects or no acceptable row at all, and more than half of the rows in
quarantine. ``IngestResult.verdict`` is that outcome as the one-row frame the
data gate reads.

Every quarantine row carries, in ``as_read``, its row's cells as they were read (masked, JSON), so the
steward workbook can show the row as the file has it. A row of another dataset whose project is only unknown
because the project's own row is in quarantine gets ``project_in_quarantine`` naming that row instead of
``unknown_project``, and ``IngestResult.cascades`` counts such rows per cause.

``validation_frame`` is what Great Expectations sees: every row read, typed,
personnummer masked, unknown codes kept as written (masked) so the suite can
name them, and the quarantine verdict per row. The quarantine is final when
``ingest_dataset`` returns: the suite checks the same rules, and a row it flags
that the rules here accepted is reported as a disagreement, never patched in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from samverkan import profile as import_profile
from samverkan import quality
from samverkan import validation_rules as rules
from samverkan.conform import PROBLEM_COLUMNS, RESTORE_LEADING_ZERO, conform
from samverkan.contract import DATASETS
from samverkan.inbox import InboxFile, fingerprint, inbox_table, unread
from samverkan.physical import file_sha256
from samverkan.privacy import mask_personal_numbers, personal_number_mask
from samverkan.readers import SOURCE_PROBLEM, ReadError, load_source, parse_source

# source_row of a quarantine row that concerns a whole file rather than one of its rows.
WHOLE_FILE = 0
QUARANTINED = "quarantined"
# The quarantine's column with the row's cells as read (masked, a JSON object); "" for a whole-file problem.
AS_READ = quality.AS_READ
QUARANTINE_COLUMNS = [*PROBLEM_COLUMNS, AS_READ]


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str  # of the bytes parsed ("" for a file refused unread)
    rows: int
    usable: bool = True
    columns: tuple[str, ...] = ()
    bytes: int = 0


@dataclass
class IngestResult:
    dataset: str
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int
    files: list[InputFile] = field(default_factory=list)
    dataset_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validation: pd.DataFrame | None = None
    # Rows quarantined only because their project's row is in quarantine, per that row ("projects.xlsx rad 15").
    cascades: dict[str, int] = field(default_factory=dict)

    @property
    def quarantined_rows(self) -> int:
        return self.rows_in - len(self.accepted)

    @property
    def usable(self) -> bool:
        return not self.dataset_errors

    def verdict(self) -> pd.DataFrame:
        return quality.verdict(self.dataset, self.rows_in, len(self.accepted), self.dataset_errors)

    def inbox_files(self) -> pd.DataFrame:
        """The files read, as this dataset's part of the inbox's record (``samverkan.inbox``)."""
        return inbox_table(InboxFile(self.dataset, f.name, f.sha256, f.bytes) for f in self.files)

    def summary(self) -> dict[str, int | str]:
        return {
            "dataset": self.dataset,
            "rows_in": self.rows_in,
            "accepted": len(self.accepted),
            "quarantined": self.quarantined_rows,
        }


def sha256_of(path: Path) -> str:
    # For the pipeline's own and configured files; never opens a link or a pipe (empty then). Inbox files are
    # hashed from the bytes parsed (load_source), not with this.
    return file_sha256(path)


def _file_problem(dataset: str, file: str, row: int, column: str, rule: str, message: str) -> pd.DataFrame:
    return pd.DataFrame([[dataset, file, row, column, rule, message]], columns=PROBLEM_COLUMNS)


def _missing_column_problems(dataset: str, raw: pd.DataFrame, missing: list[str]) -> pd.DataFrame:
    message = rules.MISSING_COLUMN.text(columns=", ".join(missing))
    return pd.DataFrame(
        {
            "dataset": dataset,
            "source_file": raw["source_file"].to_numpy(),
            "source_row": raw["source_row"].to_numpy(),
            "column": ", ".join(missing),
            "rule": rules.MISSING_COLUMN.name,
            "message": message,
        },
        columns=PROBLEM_COLUMNS,
    )


def ingest_dataset(inbox: Path, name: str, known_project_ids: pd.Series | None = None,
                   today: dt.date | None = None, projects_quarantine: pd.DataFrame | None = None,
                   profile_file: str = "") -> IngestResult:
    """Read, type and check every file of ``name``; ``projects_quarantine`` lets an unknown project name its cause.

    The import profile (``profile_file``, else the inbox's ``profile.yaml``) maps files, columns and values
    first; a profile that cannot be used raises ``RunFileError`` with every problem in it."""
    spec = DATASETS[name]
    frames: list[pd.DataFrame] = []
    files: list[InputFile] = []
    errors: list[str] = []
    notes: list[str] = []
    found: list[pd.DataFrame] = []
    missing_anywhere: set[str] = set()
    profile = import_profile.for_inbox(Path(inbox), profile_file or None)
    for path in import_profile.files_for(Path(inbox), name, profile):
        # Read once: the hash recorded is of the bytes parsed, whatever happens to the file afterwards.
        source = None
        try:
            source = load_source(path)
            raw = import_profile.apply_profile(parse_source(source, name), name, profile, path)
        except ReadError as exc:
            errors.append(rules.UNREADABLE_FILE.text("file", reason=exc))
            found.append(_file_problem(name, exc.file, exc.row or WHOLE_FILE, exc.column or "",
                                       rules.UNREADABLE_FILE.name,
                                       rules.UNREADABLE_FILE.text(reason=mask_personal_numbers(exc.reason))))
            # Refused unread: the folder entry's size and no hash; unparsable: what was read.
            seen = unread(path, name) if source is None else fingerprint(source, name)
            files.append(InputFile(seen.file, seen.sha256, 0, usable=False, bytes=seen.bytes))
            continue
        columns = tuple(c for c in raw.columns if c not in ("source_file", "source_row", SOURCE_PROBLEM))
        missing = [c for c in spec.required_columns if c not in raw.columns]
        unknown = [c for c in columns if c not in spec.column_names]
        hints = "; ".join(import_profile.header_hints(name, unknown))
        if unknown:
            notes.append(f"{path.name}: kolumnerna {', '.join(unknown)} finns inte i kontraktet och används inte "
                         f"({hints})")
        if missing:
            missing_anywhere.update(missing)
            errors.append(rules.MISSING_COLUMN.text("file", file=path.name, columns=", ".join(missing),
                                                    headers=", ".join(columns) or "inga", rows=len(raw))
                          + (f" {hints[0].upper()}{hints[1:]}" + ("" if hints.endswith("?") else ".") if hints else ""))
            if len(raw):
                found.append(_missing_column_problems(name, raw, missing))
        frames.append(raw)
        files.append(InputFile(source.file, source.sha256, len(raw), usable=not missing, columns=columns,
                               bytes=source.size))
    raw = pd.concat(frames, ignore_index=True).fillna("") if frames else _empty_raw(name)
    conformed = conform(raw, spec)
    typed = conformed.rows
    found += [conformed.problems, quality.row_problems(name, typed, known_project_ids, today)]
    problem_frame = pd.concat([p for p in found if not p.empty] or [pd.DataFrame(columns=PROBLEM_COLUMNS)],
                              ignore_index=True)
    problem_frame["source_row"] = problem_frame["source_row"].astype("int64")
    problem_frame = _name_quarantined_projects(problem_frame, typed, quarantined_projects(projects_quarantine))
    is_bad = _rows_in(typed, problem_frame)
    accepted = typed.loc[~is_bad].reset_index(drop=True)
    quarantine = _sorted(problem_frame)
    quarantine[AS_READ] = _as_read(raw, quarantine, {f.name: f.columns for f in files}, name)

    errors += _dataset_problems(name, files, len(typed), len(accepted), notes)
    notes += quality.findings(name, typed, ~is_bad)

    # Headers and reader messages come from the files themselves: mask them like every value.
    errors = [mask_personal_numbers(e) for e in errors]
    notes = [mask_personal_numbers(n) for n in notes]
    result = IngestResult(name, accepted, quarantine, len(typed), files, errors, notes, cascades=cascades(quarantine))
    result.validation = validation_frame(raw, typed, is_bad, sorted(missing_anywhere)).join(
        quality.derived_columns(name, typed))
    return result


def quarantined_projects(projects_quarantine: pd.DataFrame | None) -> dict[str, str]:
    """Project id -> its first quarantined row ("projects.xlsx rad 15"), from the projects quarantine."""
    if projects_quarantine is None or projects_quarantine.empty or AS_READ not in projects_quarantine.columns:
        return {}
    causes: dict[str, str] = {}
    rows = projects_quarantine.drop_duplicates(["source_file", "source_row"])
    for file, row, as_read in zip(rows["source_file"], rows["source_row"], rows[AS_READ], strict=True):
        project = str(json.loads(as_read).get("project_id", "")).strip() if as_read else ""
        if project:
            causes.setdefault(project, f"{file} rad {int(row)}")
    return causes


def _name_quarantined_projects(problems: pd.DataFrame, typed: pd.DataFrame, causes: dict[str, str]) -> pd.DataFrame:
    """An unknown project whose own row is in quarantine is a consequence of that row: say which."""
    unknown = problems["rule"] == rules.UNKNOWN_PROJECT.name
    if not causes or not unknown.any():
        return problems
    ids = typed.set_index(["source_file", "source_row"])["project_id"]
    keys = pd.MultiIndex.from_frame(problems.loc[unknown, ["source_file", "source_row"]])
    cause = pd.Series(ids.reindex(keys).to_numpy(), index=problems.index[unknown]).map(causes).dropna()
    out = problems.copy()
    out.loc[cause.index, "rule"] = rules.PROJECT_IN_QUARANTINE.name
    out.loc[cause.index, "message"] = rules.PROJECT_IN_QUARANTINE.text(cause=cause)
    return out


def cascades(quarantine: pd.DataFrame) -> dict[str, int]:
    """Rows whose only problem is a project in quarantine, counted per the project row that caused them."""
    if quarantine.empty:
        return {}
    cascaded = quarantine["rule"] == rules.PROJECT_IN_QUARANTINE.name
    only = cascaded.groupby([quarantine["source_file"], quarantine["source_row"]]).transform("all")
    rows = quarantine.loc[only & cascaded]
    prefix = len(rules.PROJECT_IN_QUARANTINE.text(cause=""))
    counts = rows["message"].str.slice(prefix).value_counts()
    return {cause: int(counts[cause]) for cause in sorted(counts.index)}


def _as_read(raw: pd.DataFrame, quarantine: pd.DataFrame, columns: dict[str, tuple[str, ...]],
             dataset: str | None = None) -> pd.Series:
    """Each quarantine row's cells as its file has them, masked, as a JSON object in the file's column order."""
    if quarantine.empty:
        return pd.Series("", index=quarantine.index, dtype="str")
    keys = quarantine[["source_file", "source_row"]].drop_duplicates()
    hit = raw.merge(keys, on=["source_file", "source_row"], how="inner")
    text: dict[tuple[str, int], str] = {}
    # A bare 9-digit number in an identifier or text column may be a personnummer that lost its leading zero.
    restore = {c.name for c in DATASETS[dataset].columns if c.type in RESTORE_LEADING_ZERO} if dataset else set()
    for record in hit.to_dict("records"):
        file = str(record["source_file"])
        # Headers come from the file as well: a personnummer typed as a header is masked like a value.
        cells = {mask_personal_numbers(c): mask_personal_numbers(_cell(record.get(c)), c in restore)
                 for c in columns.get(file, ())}
        text[(file, int(record["source_row"]))] = json.dumps(cells, ensure_ascii=False)
    found = [text.get((str(f), int(r)), "") for f, r in zip(quarantine["source_file"], quarantine["source_row"],
                                                            strict=True)]
    return pd.Series(found, index=quarantine.index, dtype="str")


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return str(value)


def _dataset_problems(name: str, files: list[InputFile], rows: int, accepted: int, notes: list[str]) -> list[str]:
    """The dataset errors about the dataset as a whole: no projects, nothing accepted, most rows quarantined."""
    names = ", ".join(f.name for f in files)
    if not files and not DATASETS[name].optional:
        notes.append(f"inkorgen har ingen fil för {name}")
        return [rules.NO_ROWS.text("no_file")] if name == "projects" else []
    if name == "projects" and files and not accepted:
        return [rules.NO_ROWS.text("no_projects", files=names)]
    if rows and not accepted:
        return [rules.NO_ROWS.text(rows=rows, files=names)]
    if rows - accepted > quality.MAX_QUARANTINE_SHARE * rows:
        return [rules.QUARANTINE_SHARE.text(quarantined=rows - accepted, rows=rows, files=names,
                                            share=quality.MAX_QUARANTINE_SHARE)]
    return []


def _rows_in(typed: pd.DataFrame, problems: pd.DataFrame) -> pd.Series:
    if problems.empty or typed.empty:
        return pd.Series(False, index=typed.index)
    keys = problems[["source_file", "source_row"]].drop_duplicates()
    hit = pd.MultiIndex.from_frame(typed[["source_file", "source_row"]]).isin(pd.MultiIndex.from_frame(keys))
    return pd.Series(hit, index=typed.index)


def _sorted(problems: pd.DataFrame) -> pd.DataFrame:
    out = problems.sort_values(["source_file", "source_row", "column", "rule"], ignore_index=True, kind="stable")
    out["source_row"] = out["source_row"].astype("int64")
    return out


def validation_frame(raw: pd.DataFrame, typed: pd.DataFrame, is_bad: pd.Series,
                     missing_required: list[str]) -> pd.DataFrame:
    """The frame Great Expectations validates: typed, masked, unknown codes as written, verdict per row.

    A required column missing from any file is left out, so the suite's column
    expectation fails and says so.
    """
    frame = typed.copy()
    spec_columns = [c for c in frame.columns if c not in ("source_file", "source_row")]
    for column in spec_columns:
        if column in raw.columns and frame[column].dtype == "str":
            written = raw[column].fillna("").astype("str").str.strip()
            lost = frame[column].isna() & (written != "")
            if lost.any():
                # conform() already masked what it flagged; mask again so nothing raw can slip through.
                frame.loc[lost, column] = written[lost].map(lambda v: mask_personal_numbers(v, True))
    for column in spec_columns:
        if frame[column].dtype == "str":
            personal = personal_number_mask(frame[column].fillna(""), restore_leading_zero=True)
            if personal.any():
                frame.loc[personal, column] = frame.loc[personal, column].map(lambda v: mask_personal_numbers(v, True))
    frame = frame.drop(columns=[c for c in missing_required if c in frame.columns])
    frame[QUARANTINED] = is_bad.to_numpy()
    return _numpy_comparable(frame)


def _numpy_comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers and dates in the numpy types GX compares in one vectorised step.

    GX's range expectations compare numpy int/float and nanosecond datetime columns at once, but
    nullable integers and pandas 3's second-resolution dates value by value in Python: half of the
    ~4 s it spent on the national participants. Values are unchanged; a date outside the
    nanosecond range (years before 1677 or after 2262) keeps its type and the slow comparison.
    """
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.Int64Dtype | pd.Float64Dtype):
            values = out[column]
            out[column] = values.astype("int64") if dtype == "Int64" and not values.isna().any() \
                else values.astype("float64")
        elif pd.api.types.is_datetime64_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(dtype):
            present = out[column].dropna()
            if present.empty or (present.min() >= pd.Timestamp.min and present.max() <= pd.Timestamp.max):
                out[column] = out[column].astype("datetime64[ns]")
    return out


def _empty_raw(name: str) -> pd.DataFrame:
    columns = [*DATASETS[name].column_names, "source_file"]
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    frame["source_row"] = pd.Series(dtype="int64")
    return frame
