"""Running a dataset's checkpoint on the masked validation frame, and reading its result.

``validate`` runs the checkpoint on the frame from
``samverkan.ingest.validation_frame``, its text values made inert first
(``neutralise``); the checkpoint stores the result in the context's results
folder (``pipelines.gx.context.results_dir``), and Data Docs are built later,
once per run (``pipelines.gx.docs``). The result is the official check result of the
dataset; the quarantine is the core's. The two check the same rules, so a row
that a GX row expectation flags but the core accepted, or a critical
expectation failing on a dataset the core found usable, is a disagreement:
``disagreements`` names it, and the ``data_contract`` check reports it as a
fault of the program rather than quietly moving rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.gx.context import context_dir, data_docs_index, open_context
from pipelines.gx.docs import build_site
from pipelines.gx.suites import sync_context
from samverkan import quality
from samverkan.conform import PROBLEM_COLUMNS
from samverkan.ingest import QUARANTINED
from samverkan.validation_rules import CRITICAL

log = logging.getLogger(__name__)


@dataclass
class FailedExpectation:
    expectation: str
    column: str
    rule: str
    severity: str
    unexpected: int
    note: str
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GxOutcome:
    dataset: str
    success: bool
    evaluated: int
    successful: int
    failed: list[FailedExpectation]
    # Rows a row rule flagged, as problem rows (dataset, source_file, source_row, column, rule, message).
    flagged: pd.DataFrame
    data_docs: str | None = None

    @property
    def critical(self) -> list[FailedExpectation]:
        return [f for f in self.failed if f.severity == CRITICAL]


# Markup characters and their look-alikes of one character each: GX renders values into its HTML unescaped,
# and a look-alike keeps every length, pattern and code-list check giving the same answer as on the raw value.
MARKUP = r"[<>&\"'`]"
INERT = str.maketrans({"<": "‹", ">": "›", "&": "＆", '"': "”", "'": "’", "`": "ˋ"})


def neutralise(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame with markup in every text value made inert, and the file names it changed, new -> old.

    The file names map the rows GX flags back to the names the quarantine holds.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]):
            # Only the few values holding markup are rewritten: a national year has millions of cells.
            marked = out[column].str.contains(MARKUP, regex=True, na=False)
            if marked.any():
                out.loc[marked, column] = out.loc[marked, column].str.translate(INERT)
    files: dict[str, str] = {}
    if "source_file" in frame.columns:
        for old in frame["source_file"].dropna().unique():
            files[str(old).translate(INERT)] = str(old)
    return out, files


def parameters_for(today: pd.Timestamp, known_project_ids: pd.Series | None) -> dict[str, Any]:
    ids = sorted(set(known_project_ids.dropna().astype(str))) if known_project_ids is not None else []
    return {
        # A datetime, not a string or date: GX compares it with the frame's Timestamps as it is.
        "today": today.to_pydatetime(),
        "known_project_ids": ids,
        "latest_birth_year": int(today.year) - quality.MIN_PARTICIPANT_AGE,
        "earliest_enrolment": pd.Timestamp(quality.FINSAM_START).to_pydatetime(),
        # A parameter, not a constant in the committed suite, so an instance's own bound is checked as set.
        "max_amount_sek": quality.max_amount_sek(),
    }


def validate(dataset: str, frame: pd.DataFrame, parameters: dict[str, Any], root: Path | None = None,
             data_docs: bool = False) -> GxOutcome:
    """Run the dataset's checkpoint on ``frame`` (already masked), store the result and summarise it.

    Data Docs are not rebuilt here (see ``build_data_docs``) unless ``data_docs=True``.
    """
    root = Path(root or context_dir())
    if not (root / "checkpoints" / f"{dataset}.json").exists():
        # A dataset added to the contract after the files were committed: write its suite now.
        log.warning("GX-filerna saknar %s; skriver dem från kontraktet", dataset)
        sync_context(root)
    context = open_context(root)
    frame, files = neutralise(frame)
    frame[QUARANTINED] = frame[QUARANTINED].astype(bool)
    result = context.checkpoints.get(dataset).run(batch_parameters={"dataframe": frame},
                                                  expectation_parameters=parameters)
    validation = next(iter(result.run_results.values()))
    if data_docs:
        build_site(context)
    failed: list[FailedExpectation] = []
    flagged: list[pd.DataFrame] = []
    for item in validation.results:
        config = item.expectation_config
        meta = config.meta or {}
        kwargs = config.kwargs
        column = kwargs.get("column") or kwargs.get("column_A") or "+".join(kwargs.get("column_list", []))
        if item.success:
            continue
        res = item.result or {}
        exception = _exception_message(item.exception_info)
        rows = res.get("unexpected_index_list") or []
        failed.append(FailedExpectation(
            expectation=config.type, column=str(column), rule=meta.get("rule", config.type),
            severity=str(getattr(config.severity, "value", config.severity)),
            unexpected=int(res.get("unexpected_count") or (0 if rows is None else len(rows))),
            note=meta.get("notes_sv", "") + (f" ({exception})" if exception else ""),
            examples=[{k: _plain(v) for k, v in r.items()} for r in rows[:5] if isinstance(r, dict)],
        ))
        if meta.get("feeds_quarantine") and rows and isinstance(rows[0], dict):
            hit = pd.DataFrame(rows)
            flagged.append(pd.DataFrame({
                "dataset": dataset,
                "source_file": hit["source_file"].astype(str).map(lambda f: files.get(f, f)).to_numpy(),
                "source_row": hit["source_row"].astype("int64").to_numpy(),
                "column": str(column),
                "rule": meta.get("rule", config.type),
                "message": f"Great Expectations: {meta.get('notes_sv', config.type)}",
            }))
    stats = validation.statistics or {}
    docs = data_docs_index(root)
    flagged_frame = (pd.concat(flagged, ignore_index=True) if flagged else pd.DataFrame(columns=PROBLEM_COLUMNS))
    return GxOutcome(
        dataset=dataset,
        success=bool(validation.success),
        evaluated=int(stats.get("evaluated_expectations", 0)),
        successful=int(stats.get("successful_expectations", 0)),
        failed=failed,
        flagged=flagged_frame,
        data_docs=str(docs) if docs.exists() else None,
    )


def disagreements(outcome: GxOutcome, quarantine: pd.DataFrame, usable: bool) -> list[str]:
    """Where GX and the core rules disagree, in Swedish; empty when the suite saw what the rules saw."""
    quarantined = set(zip(quarantine["source_file"], quarantine["source_row"].astype("int64"), strict=True))
    found = []
    for row in outcome.flagged.itertuples():
        if (row.source_file, int(row.source_row)) not in quarantined:
            found.append(f"{row.source_file} rad {row.source_row}: GX-regeln {row.rule} ({row.column}) underkänner "
                         "raden, men radreglerna godkände den")
    if usable:
        found += [f"GX-förväntningen {f.expectation} ({f.column}, regel {f.rule}) säger att datasetet inte kan "
                  "användas, men radreglerna hittade inget sådant fel" for f in outcome.critical]
    return found


def _exception_message(info: Any) -> str | None:
    """GX nests exceptions per metric; the first message found, if any."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception") and info.get("exception_message"):
        return str(info["exception_message"])
    for value in info.values():
        found = _exception_message(value)
        if found:
            return found
    return None


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


