"""Two runs' output folders side by side: what an evaluator changed and what it did to the figures.

Reads what a run writes (README's output table): ``ledger_parameters.csv`` and ``success_rules.csv`` for the
parameters and rules, ``ledger_catalogue.csv`` for the catalogue (its version and every amount), ``ledger.csv``
for investment, effect, net and return per förbund, project and actor, ``success.csv`` for the levels and their
reasons, ``reports.csv`` and run.json's ``reports`` for whether each förbund's published report changed.
A file missing in one folder is said, not guessed. The result is one long table (``comparison.csv``), a short
Markdown summary (``comparison.md``) and a few lines to print.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.files import write_bytes_atomic, write_csv_atomic
from samverkan.ledger.actors import CODE_TO_ACTOR, TOTAL
from samverkan.ledger.catalogue import AMOUNT_COLUMNS, KEY_COLUMNS
from samverkan.ledger.results import ALL_PROJECTS
from samverkan.manifest import MANIFEST, read_manifest
from samverkan.privacy import last_gate

COMPARISON_COLUMNS = ["section", "forbund", "project_id", "actor", "measure", "a", "b", "change", "note"]
LEDGER_MEASURES = {"investment_sek": "investering", "effect_pv_sek": "effekt (nuvärde)", "net_sek": "netto",
                   "return_ratio": "avkastning per krona"}
LEDGER_KEYS = ["forbund", "project_id", "actor"]
# Below these a difference is rounding, not a change: amounts are whole kronor, ratios have a few decimals.
AMOUNT_TOLERANCE = 0.5
RATIO_TOLERANCE = 1e-6
SECTIONS = {"version": "versioner", "parameter": "parametrar och regler", "catalogue": "enhetskostnader",
            "ledger": "bokslut", "success": "framgångsnivåer", "report": "rapporter"}
MAX_LISTED = 10
COMPARISON_FILE = "comparison.csv"


class CompareError(ValueError):
    """Folders that cannot be compared; ``lines`` are the Swedish reasons."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Comparison:
    a: Path
    b: Path
    frame: pd.DataFrame  # COMPARISON_COLUMNS, only what differs
    notes: list[str] = field(default_factory=list)  # files missing in one folder

    def section(self, name: str) -> pd.DataFrame:
        return self.frame[self.frame["section"] == name]


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    """An extract as text; the separator from its header, so folders written before the Swedish-Excel format
    (comma, decimal point) compare with today's (semicolon, decimal comma)."""
    path = folder / name
    if not path.is_file():
        return None
    text = path.read_bytes().decode("utf-8-sig")
    sep = ";" if ";" in text.split("\n", 1)[0] else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype="str", keep_default_na=False)


def _number(text: object) -> float:
    # Numeric columns hold no thousands separator, so a comma is always the decimal comma.
    value = pd.to_numeric(str(text).replace(",", "."), errors="coerce")
    return float("nan") if pd.isna(value) else float(value)


def _rows(section: str, measure: str, a: object, b: object, note: str = "", **keys: str) -> dict:
    return {"section": section, "forbund": keys.get("forbund", ""), "project_id": keys.get("project_id", ""),
            "actor": keys.get("actor", ""), "measure": measure, "a": a, "b": b, "change": "", "note": note}


def _versions(a: dict[str, pd.DataFrame | None], b: dict[str, pd.DataFrame | None]) -> list[dict]:
    def found(frames: dict[str, pd.DataFrame | None]) -> dict[str, str]:
        out = {}
        if frames["ledger_parameters.csv"] is not None and "version" in frames["ledger_parameters.csv"]:
            out["parametrar"] = ", ".join(sorted(set(frames["ledger_parameters.csv"]["version"])))
        rules = frames["success_rules.csv"]
        if rules is not None:
            out["regler"] = ", ".join(rules.loc[rules["parameter"] == "rules_version", "value"])
        catalogue = frames["ledger_catalogue.csv"]
        if catalogue is not None and "catalogue_version" in catalogue:
            out["katalog"] = ", ".join(sorted(set(catalogue["catalogue_version"])))
        return out

    va, vb = found(a), found(b)
    return [_rows("version", name, va.get(name, ""), vb.get(name, ""))
            for name in ("parametrar", "regler", "katalog")
            if (name in va or name in vb) and va.get(name) != vb.get(name)]


def _parameters(a: pd.DataFrame | None, b: pd.DataFrame | None, group: str) -> list[dict]:
    if a is None or b is None:
        return []
    ta, tb = (f[f["parameter"] != "rules_version"].set_index("parameter") for f in (a, b))
    out = []
    for name in [*ta.index, *(p for p in tb.index if p not in ta.index)]:
        va = ta["value"].get(name, "")
        vb = tb["value"].get(name, "")
        if va != vb:
            out.append(_rows("parameter", f"{group}: {name}", va, vb, tb["basis"].get(name, "")))
    return out


def _ledger(a: pd.DataFrame | None, b: pd.DataFrame | None) -> list[dict]:
    if a is None or b is None:
        return []
    merged = a[[*LEDGER_KEYS, *LEDGER_MEASURES]].merge(b[[*LEDGER_KEYS, *LEDGER_MEASURES]], on=LEDGER_KEYS,
                                                          how="outer", suffixes=("_a", "_b"), sort=False)
    out = []
    for row in merged.itertuples(index=False):
        keys = dict(zip(LEDGER_KEYS, (row[0], row[1], row[2]), strict=True))
        for i, measure in enumerate(LEDGER_MEASURES):
            va, vb = _number(row[3 + i]), _number(row[3 + len(LEDGER_MEASURES) + i])
            tolerance = RATIO_TOLERANCE if measure == "return_ratio" else AMOUNT_TOLERANCE
            if np.isnan(va) and np.isnan(vb):
                continue
            if np.isnan(va) or np.isnan(vb):
                note = "bara i B" if np.isnan(va) else "bara i A"
                out.append({**_rows("ledger", measure, _num(va), _num(vb), note, **keys), "change": ""})
            elif abs(vb - va) > tolerance:
                out.append({**_rows("ledger", measure, _num(va), _num(vb), **keys), "change": _num(vb - va)})
    return out


def _num(value: float) -> object:
    if np.isnan(value):
        return ""
    return int(value) if float(value).is_integer() else round(float(value), 6)


def _success(a: pd.DataFrame | None, b: pd.DataFrame | None) -> list[dict]:
    if a is None or b is None:
        return []
    keys = ["forbund", "project_id"]
    merged = a[[*keys, "level", "reasons"]].merge(b[[*keys, "level", "reasons"]], on=keys, how="outer",
                                                  suffixes=("_a", "_b"), sort=False).fillna("")
    changed = merged[merged["level_a"] != merged["level_b"]]
    return [_rows("success", "nivå", r.level_a, r.level_b, f"före: {r.reasons_a} | efter: {r.reasons_b}",
                  forbund=r.forbund, project_id=r.project_id) for r in changed.itertuples(index=False)]


def _catalogue_label(row: pd.Series) -> str:
    keys = [str(row[k]) for k in KEY_COLUMNS if k != "kind" and row[k]]
    return " / ".join(keys or ["(alla)"]) + (f" ({row['kind']})" if row["kind"] else "")


def _catalogue_side(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for key in KEY_COLUMNS:
        if key not in frame:
            frame[key] = ""
    # Two rows with the same keys (a catalogue the loader would still take) are told apart by their order.
    frame["_n"] = frame.groupby(list(KEY_COLUMNS)).cumcount()
    return frame.set_index([*KEY_COLUMNS, "_n"])


def _catalogue(a: pd.DataFrame | None, b: pd.DataFrame | None) -> list[dict]:
    """Every amount of the catalogue that differs, per row (its keys) and actor, as the file gives it (its price
    year's prices), with the report year's price in the note; an amount that only the indexing changed is given
    in the report year's prices."""
    if a is None or b is None:
        return []
    ta, tb = _catalogue_side(a), _catalogue_side(b)
    fields = [c for c in (*AMOUNT_COLUMNS, "reduction_in_work", "price_year") if c in ta and c in tb]
    out = []
    for index in [*ta.index, *(i for i in tb.index if i not in ta.index)]:
        label = _catalogue_label(pd.Series(dict(zip(KEY_COLUMNS, index[:-1], strict=True))))
        if index not in ta.index or index not in tb.index:
            # A row of one catalogue only: one line with its amounts, not one per column.
            row = ta.loc[index] if index in ta.index else tb.loc[index]
            amounts = {c: _number(row[c]) for c in fields}
            text = "; ".join(f"{c} {_num(v)}" for c, v in amounts.items() if not np.isnan(v) and v != 0)
            out.append(_rows("catalogue", label, text if index in ta.index else "",
                             "" if index in ta.index else text, "bara i A" if index in ta.index else "bara i B"))
            continue
        row_a, row_b = ta.loc[index], tb.loc[index]
        for column in fields:
            actor = CODE_TO_ACTOR.get(column.removesuffix("_sek"), "") if column.endswith("_sek") else ""
            va, vb = _number(row_a[column]), _number(row_b[column])
            indexed = [c for c in row_b.index if c.startswith(f"{column}_")]
            tolerance = AMOUNT_TOLERANCE if actor else RATIO_TOLERANCE
            if abs(vb - va) > tolerance:
                ia, ib = (_number(r[indexed[0]]) if indexed and indexed[0] in r else float("nan")
                          for r in (row_a, row_b))
                note = "" if np.isnan(ia) or np.isnan(ib) else \
                    f"i {indexed[0].rsplit('_', 1)[1]} års priser: {_num(ia)} → {_num(ib)}"
                out.append({**_rows("catalogue", f"{label}: {column}", _num(va), _num(vb), note, actor=actor),
                            "change": _num(vb - va)})
            elif indexed and indexed[0] in row_a:
                ia, ib = _number(row_a[indexed[0]]), _number(row_b[indexed[0]])
                if not (np.isnan(ia) or np.isnan(ib)) and abs(ib - ia) > AMOUNT_TOLERANCE:
                    out.append({**_rows("catalogue", f"{label}: {indexed[0]}", _num(ia), _num(ib),
                                        "samma belopp i filen, annan indexering", actor=actor),
                                "change": _num(ib - ia)})
    return out


def _report_hashes(folder: Path, index: pd.DataFrame | None) -> dict[str, dict[str, str]] | None:
    """Per förbund its report's hashes: the PDF's from ``reports.csv``, and the content hash (and the PDF's)
    from run.json's ``reports``; a limited run's staging folder lists only its own förbund in run.json, the
    others in the merged reports.csv. None for a folder that lists no reports at all (no report step ran)."""
    listed = (read_manifest(folder) or {}).get("reports")
    if index is None and not listed:
        return None
    found: dict[str, dict[str, str]] = {}
    if index is not None and "forbund" in index:
        for row in index.to_dict("records"):
            found[row["forbund"]] = {"pdf_sha256": str(row.get("pdf_sha256", "")), "pdf": str(row.get("pdf", ""))}
    for forbund, entry in (listed or {}).items():
        found.setdefault(forbund, {}).update(
            {key: str(entry[key]) for key in ("pdf", "pdf_sha256", "content_hash") if entry.get(key)})
    return found


def _reports(a: dict[str, dict[str, str]] | None, b: dict[str, dict[str, str]] | None) -> list[dict]:
    """A förbund whose published report differs: by content hash when both runs recorded one (what the report
    was made of), else by the PDF's SHA-256; and a report that only one run published."""
    if a is None or b is None:
        return []
    out = []
    for forbund in [*a, *(n for n in b if n not in a)]:
        ra, rb = a.get(forbund), b.get(forbund)
        if ra is None or rb is None:
            out.append(_rows("report", "rapport", (ra or {}).get("pdf", ""), (rb or {}).get("pdf", ""),
                             "bara i B" if ra is None else "bara i A", forbund=forbund))
            continue
        key = "content_hash" if ra.get("content_hash") and rb.get("content_hash") else "pdf_sha256"
        if ra.get(key) and rb.get(key) and ra[key] != rb[key]:
            what = "innehåll (content_hash)" if key == "content_hash" else "pdf (sha256)"
            out.append(_rows("report", what, ra[key], rb[key], f"rapporten {rb.get('pdf') or ra.get('pdf', '')} "
                             "har ändrats", forbund=forbund))
    return out


FILES = ("ledger_parameters.csv", "success_rules.csv", "ledger_catalogue.csv", "ledger.csv", "success.csv",
         "reports.csv")


def compare_outputs(a: Path | str, b: Path | str) -> Comparison:
    """What differs between the output folders ``a`` (before) and ``b`` (after)."""
    a, b = Path(a), Path(b)
    missing = [f"mappen {p} finns inte" for p in (a, b) if not p.is_dir()]
    missing += [f"ledger.csv saknas i {p}: är det en körnings utdatamapp?" for p in (a, b)
                if p.is_dir() and not (p / "ledger.csv").is_file()]
    if missing:
        raise CompareError(missing)
    fa = {name: _read(a, name) for name in FILES}
    fb = {name: _read(b, name) for name in FILES}
    # A file neither run wrote (an older run, say) is no difference; one only one of them wrote is.
    notes = [f"{name} saknas i {label} ({folder})" for name in FILES for label, folder, frames, other
             in (("A", a, fa, fb), ("B", b, fb, fa)) if frames[name] is None and other[name] is not None]
    rows = [*_versions(fa, fb),
            *_parameters(fa["ledger_parameters.csv"], fb["ledger_parameters.csv"], "bokslut"),
            *_parameters(fa["success_rules.csv"], fb["success_rules.csv"], "framgångsnivåer"),
            *_catalogue(fa["ledger_catalogue.csv"], fb["ledger_catalogue.csv"]),
            *_ledger(fa["ledger.csv"], fb["ledger.csv"]),
            *_success(fa["success.csv"], fb["success.csv"]),
            *_reports(_report_hashes(a, fa["reports.csv"]), _report_hashes(b, fb["reports.csv"]))]
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    return Comparison(a=a, b=b, frame=frame, notes=notes)


def _totals(comparison: Comparison) -> pd.DataFrame:
    """The förbund totals (all projects, the Summa actor) whose net changed."""
    ledger = comparison.section("ledger")
    return ledger[(ledger["project_id"] == ALL_PROJECTS) & (ledger["actor"] == TOTAL)
                  & (ledger["measure"] == "net_sek")]


def _kr(value: object) -> str:
    return "" if value == "" else f"{float(value):,.0f}".replace(",", "\u00a0") + "\u00a0kr"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def comparison_markdown(comparison: Comparison) -> str:
    """A short summary in Swedish; every figure in it is a row of comparison.csv."""
    lines = ["# Jämförelse av två körningar", "", f"- A (före): `{last_gate(str(comparison.a))}`",
             f"- B (efter): `{last_gate(str(comparison.b))}`",
             ""]
    counts = comparison.frame["section"].value_counts()
    lines += ["Skillnader: " + ", ".join(f"{label} {int(counts.get(key, 0))}" for key, label in SECTIONS.items()),
              ""]
    changes = pd.concat([comparison.section("version"), comparison.section("parameter")])
    if not changes.empty:
        lines += ["## Versioner, parametrar och regler", "", "| vad | A | B | grund i B |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(_cell(v) for v in (r.measure, r.a, r.b, r.note)) + " |"
                  for r in changes.itertuples()]
        lines.append("")
    totals = _totals(comparison)
    if not totals.empty:
        lines += ["## Netto per förbund (alla insatser, Summa)", "", "| förbund | A | B | förändring |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {_cell(r.forbund)} | {_kr(r.a)} | {_kr(r.b)} | {_kr(r.change)} |" for r in totals.itertuples()]
        lines.append("")
    levels = comparison.section("success")
    if not levels.empty:
        lines += ["## Insatser med ändrad framgångsnivå", "", "| förbund | insats | A | B |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(_cell(v) for v in (r.forbund, r.project_id, r.a, r.b)) + " |"
                  for r in levels.head(MAX_LISTED).itertuples()]
        if len(levels) > MAX_LISTED:
            lines += ["", f"Och {len(levels) - MAX_LISTED} till; skälen står i comparison.csv."]
        lines.append("")
    amounts = comparison.section("catalogue")
    if not amounts.empty:
        lines += ["## Ändrade enhetskostnader", "", "| rad och kolumn | aktör | A | B | förändring |",
                  "|---|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(_cell(v) for v in (r.measure, r.actor, r.a, r.b, r.change or r.note)) + " |"
                  for r in amounts.head(MAX_LISTED).itertuples()]
        if len(amounts) > MAX_LISTED:
            lines += ["", f"Och {len(amounts) - MAX_LISTED} till i comparison.csv."]
        lines.append("")
    reports = comparison.section("report")
    if not reports.empty:
        lines += ["## Rapporter som skiljer sig", "", "| förbund | vad | |", "|---|---|---|"]
        lines += ["| " + " | ".join(_cell(v) for v in (r.forbund, r.measure, r.note)) + " |"
                  for r in reports.itertuples()]
        lines.append("")
    lines += [f"- {note}" for note in comparison.notes]
    lines.append("Alla skillnader per förbund, insats och aktör står i comparison.csv.")
    return "\n".join(lines) + "\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def comparison_lines(comparison: Comparison) -> list[str]:
    """The few lines ``samverkan compare`` prints."""
    counts = comparison.frame["section"].value_counts()
    if comparison.frame.empty:
        return [last_gate(f"Inga skillnader mellan {comparison.a} och {comparison.b}."), *comparison.notes]
    out = [last_gate(f"Skillnader mellan {comparison.a} (A) och {comparison.b} (B): ")
           + ", ".join(f"{label} {int(counts.get(key, 0))}" for key, label in SECTIONS.items())]
    out += [f"  {r.measure}: {r.a} → {r.b}" for r in comparison.section("parameter").head(MAX_LISTED).itertuples()]
    out += [f"  netto {r.forbund}: {_kr(r.a)} → {_kr(r.b)}" for r in _totals(comparison).head(MAX_LISTED).itertuples()]
    levels = comparison.section("success")
    if not levels.empty:
        out.append(f"  {_count(len(levels), 'insats', 'insatser')} har ändrad framgångsnivå")
    amounts = comparison.section("catalogue")
    if not amounts.empty:
        out.append(f"  {_count(len(amounts), 'skillnad', 'skillnader')} i enhetskostnadskatalogen")
    reports = comparison.section("report")
    changed = reports[reports["measure"] != "rapport"]
    if not changed.empty:
        out.append(f"  {_count(len(changed), 'rapport', 'rapporter')} har ändrats: "
                   + ", ".join(changed["forbund"].head(MAX_LISTED)))
    out += [f"  rapport {r.forbund}: {r.note}" for r in reports[reports["measure"] == "rapport"].itertuples()]
    return [*out, *comparison.notes]


def write_comparison(comparison: Comparison, out: Path | str) -> tuple[Path, Path]:
    """``comparison.csv`` (as every other extract: ``write_csv_atomic``) and ``comparison.md`` in ``out``."""
    out = Path(out)
    csv = write_csv_atomic(comparison.frame, out / COMPARISON_FILE)
    md = write_bytes_atomic(out / "comparison.md", comparison_markdown(comparison).encode("utf-8"))
    return csv, md


def compare_command(a: Path | str, b: Path | str, out: Path | str) -> list[str]:
    """Compare, write both files to ``out`` and return the lines to print (``CompareError`` when impossible).

    A run's output folder is refused: its files are listed with their hashes in run.json, and an adopted
    version's must stay as adopted; the comparison a new version holds is written by the publish step."""
    if (Path(out) / MANIFEST).is_file():
        raise CompareError([last_gate(f"{out} är en körnings utdatamapp (den har {MANIFEST}) och skrivs inte över; "
                                      "välj en annan mapp med --out, till exempel --out jamforelse")])
    comparison = compare_outputs(a, b)
    csv, md = write_comparison(comparison, out)
    return [*comparison_lines(comparison), f"Skrev {csv} och {md}."]
