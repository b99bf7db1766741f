"""Reading the computed tables for the report: one förbund's rows, plain Python values, records by project."""

from __future__ import annotations

from typing import Any

import pandas as pd


def has(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def for_forbund(frame: pd.DataFrame | None, forbund: str) -> pd.DataFrame:
    if not has(frame):
        return pd.DataFrame()
    if "forbund" not in frame.columns:
        return frame
    return frame[frame["forbund"] == forbund]


def plain(value: Any) -> Any:
    """pandas/numpy scalars → Python scalars; missing → None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def whole(value: Any) -> int | None:
    value = plain(value)
    return None if value is None else int(round(float(value)))


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Every row as a record of plain values, for tables whose columns another stage chose."""
    if not has(frame):
        return []
    return [{str(c): plain(v) for c, v in rec.items()} for rec in frame.to_dict("records")]


def by_project(frame: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    """The frame's rows as records, grouped by project id (as text): one ``to_dict`` per frame instead of a
    filter and a ``to_dict`` per project."""
    groups: dict[str, list[dict[str, Any]]] = {}
    if has(frame):
        for rec in frame.to_dict("records"):
            groups.setdefault(str(rec["project_id"]), []).append(rec)
    return groups
