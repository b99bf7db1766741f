"""Writing a synthetic inbox in the mix of file formats förbund really send."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.synth.errors import INJECTED_ERRORS_FILE
from samverkan.synth.plans import demo_plans
from samverkan.xlsx import deterministic


def write_inbox(frames: dict[str, pd.DataFrame], errors: pd.DataFrame, out: Path) -> list[Path]:
    """Write the inbox in the mix of formats förbund really send.

    projects as XLSX, costs as Excel-style CSV (semicolon, decimal comma,
    Windows-1252), participants as one UTF-8-with-BOM semicolon CSV per enrolment
    year, events as Parquet, prerequisite assessments as plain UTF-8 CSV.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # Where each frame row lands: (file name, row number as a person sees it), for the error log.
    located: dict[str, pd.DataFrame] = {}

    def locate(dataset: str, index: pd.Index, file: str, first_row: int) -> None:
        spot = pd.DataFrame({"source_file": file, "source_row": np.arange(len(index)) + first_row}, index=index)
        located[dataset] = pd.concat([located.get(dataset), spot]) if dataset in located else spot

    path = out / "projects.xlsx"
    sheet = io.BytesIO()
    frames["projects"].to_excel(sheet, index=False, sheet_name="projects")
    path.write_bytes(deterministic(sheet.getvalue()))
    locate("projects", frames["projects"].index, path.name, 2)
    written.append(path)

    costs = frames["project_costs"].copy()
    costs["amount_sek"] = costs["amount_sek"].map(lambda v: f"{v:.2f}".replace(".", ","))
    costs["in_kind"] = costs["in_kind"].map(lambda v: "ja" if v else "nej")
    path = out / "project_costs.csv"
    costs.to_csv(path, sep=";", index=False, encoding="cp1252", errors="replace")
    locate("project_costs", costs.index, path.name, 2)
    written.append(path)

    people = frames["participants"]
    year = people["enrolled_on"].str.extract(r"(\d{4})", expand=False).fillna("okant")
    for value in sorted(year.unique()):
        path = out / f"participants_{value}.csv"
        people[year == value].to_csv(path, sep=";", index=False, encoding="utf-8-sig")
        locate("participants", people.index[year == value], path.name, 2)
        written.append(path)

    path = out / "project_events.parquet"
    events = frames["project_events"].copy()
    events["date"] = pd.to_datetime(events["date"]).dt.date
    events.to_parquet(path, index=False)
    written.append(path)

    if "project_assessments" in frames:
        path = out / "project_assessments.csv"
        frames["project_assessments"].to_csv(path, index=False, encoding="utf-8")
        written.append(path)

    (out / "plans").mkdir(exist_ok=True)
    for name, text in demo_plans(frames).items():
        path = out / "plans" / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    if not errors.empty:
        rows = [located[d].loc[i] for d, i in zip(errors["dataset"], errors["index"], strict=True)]
        log = pd.DataFrame({
            "dataset": errors["dataset"].to_numpy(),
            "source_file": [r["source_file"] for r in rows],
            "source_row": [int(r["source_row"]) for r in rows],
            "kind": errors["kind"].to_numpy(),
        }).sort_values(["dataset", "source_file", "source_row"], ignore_index=True)
        log.to_csv(out / INJECTED_ERRORS_FILE, index=False)
    return written
