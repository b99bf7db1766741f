"""A planned effort, read from YAML and checked before anything is computed.

A plan (``plans/*.yaml`` in the inbox, or ``samverkan forecast --plan FILE``) says who plans what, for how many,
with what expected result and at what cost. Every problem is one Swedish line naming the file and, where YAML
gives it, the line; all problems of a file are reported together (``PlanError.problems``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from samverkan.contract import EDUCATION_LEVEL, FINANCIER, OCCUPATION, WORK_OR_STUDIES
from samverkan.overrides import UniqueKeyLoader
from samverkan.prerequisites import PREREQUISITES
from samverkan.support import parse_support

SCENARIO_NAMES = ("projekt", "1", "2", "3")
# Finsam began in 2004; a plan further ahead than 2100 is a typing error.
FIRST_YEAR, LAST_YEAR = 2004, 2100
DEFAULT_SUCCESS = {"occupation": "arbete", "support": "lon:100"}
KEYS = ("forbund", "name", "start_date", "end_date", "participants", "expected_share", "support_before",
        "occupation_before", "education_level", "target_group", "costs", "success", "prerequisites", "scenarios",
        "project_id")
REQUIRED = ("forbund", "name", "start_date", "end_date", "participants", "expected_share", "support_before",
            "costs")


class PlanError(ValueError):
    """A plan that cannot be used; ``problems`` holds one Swedish line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PlanCost:
    year: int
    financier: str
    amount_sek: float
    in_kind: bool = False


@dataclass(frozen=True)
class Plan:
    source: str
    forbund: str
    name: str
    start_date: dt.date
    end_date: dt.date
    participants: int
    expected_share: float
    support_before: str
    occupation_before: str = "arbetssokande"
    education_level: str = "okand"
    target_group: str = ""
    costs: tuple[PlanCost, ...] = ()
    success_occupation: str = DEFAULT_SUCCESS["occupation"]
    success_support: str = DEFAULT_SUCCESS["support"]
    prerequisites: dict[int, int] = field(default_factory=dict)
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    project_id: str = ""  # the project in projects the plan became, for plan against outcome

    @property
    def years(self) -> int:
        """Calendar years the project runs (start and end year included)."""
        return self.end_date.year - self.start_date.year + 1


def _date(value: Any, key: str, problems: list[str], where: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            problems.append(f"{where}: {key} ska vara ett datum ÅÅÅÅ-MM-DD, fick {str(value)[:40]!r}")
            return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        problems.append(f"{where}: {key} {value} ligger utanför åren {FIRST_YEAR}–{LAST_YEAR}")
        return None
    return value


def _text(value: Any, key: str, problems: list[str], where: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        problems.append(f"{where}: {key} ska vara en text, fick {str(value)[:40]!r}")
        return ""
    return str(value).strip()


def _number(value: Any, key: str, problems: list[str], where: str, low: float, high: float | None = None
            ) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}: {key} ska vara ett tal, fick {str(value)[:40]!r}")
        return None
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        span = f"{low}–{high}" if high is not None else f"minst {low}"
        problems.append(f"{where}: {key} = {value} ligger utanför {span}")
        return None
    return float(value)


def _code(value: Any, key: str, allowed: tuple[str, ...], problems: list[str], where: str) -> str | None:
    text = str(value).strip().lower()
    if text not in allowed:
        problems.append(f"{where}: {key} {text[:40]!r} är ingen kod; välj {', '.join(allowed)}")
        return None
    return text


def _support(value: Any, key: str, problems: list[str], where: str) -> str | None:
    try:
        parse_support(str(value))
    except ValueError as exc:
        problems.append(f"{where}: {key}: {exc}")
        return None
    return str(value).strip().lower()


def _costs(items: Any, problems: list[str], where: str) -> tuple[PlanCost, ...]:
    if not isinstance(items, list) or not items:
        problems.append(f"{where}: costs ska vara en lista med year, financier och amount_sek")
        return ()
    out = []
    for number, item in enumerate(items, start=1):
        here = f"{where}: costs[{number}]"
        if not isinstance(item, dict):
            problems.append(f"{here} ska ha year, financier och amount_sek")
            continue
        unknown = sorted(set(item) - {"year", "financier", "amount_sek", "in_kind"})
        if unknown:
            problems.append(f"{here}: okända nycklar {', '.join(map(str, unknown))}")
        year = _number(item.get("year"), "year", problems, here, FIRST_YEAR, LAST_YEAR)
        if year is not None and year != int(year):
            problems.append(f"{here}: year ska vara ett helt år, fick {year}")
            year = None
        financier = _code(item.get("financier"), "financier", FINANCIER, problems, here)
        amount = _number(item.get("amount_sek"), "amount_sek", problems, here, 0)
        in_kind = item.get("in_kind", False)
        if not isinstance(in_kind, bool):
            problems.append(f"{here}: in_kind ska vara true eller false")
        if year is not None and financier and amount is not None and isinstance(in_kind, bool):
            out.append(PlanCost(int(year), financier, amount, in_kind))
    return tuple(out)


def _prerequisites(value: Any, problems: list[str], where: str) -> dict[int, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: prerequisites ska ange poäng 0–3 per förutsättning 1–12")
        return {}
    scores = {}
    for key, score in value.items():
        if not isinstance(key, int) or isinstance(key, bool) or key not in PREREQUISITES:
            problems.append(f"{where}: prerequisites: {key!r} är ingen förutsättning (1–12)")
        elif not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 3:
            problems.append(f"{where}: prerequisites {key}: poängen ska vara 0, 1, 2 eller 3")
        else:
            scores[key] = score
    return scores


def parse_plan(document: Any, source: str) -> Plan:
    """A plan from its parsed YAML; raises ``PlanError`` with every problem found."""
    where = source
    if not isinstance(document, dict):
        raise PlanError([f"{where}: planen ska vara en YAML-karta med nycklarna {', '.join(REQUIRED)}"])
    problems: list[str] = []
    for key in sorted(set(document) - set(KEYS), key=str):
        problems.append(f"{where}: okänd nyckel {key!r}; tillåtna: {', '.join(KEYS)}")
    missing = [key for key in REQUIRED if document.get(key) in (None, "")]
    problems += [f"{where}: {key} saknas" for key in missing]
    if missing:
        raise PlanError(problems)  # the rest cannot be checked without them
    forbund = _text(document["forbund"], "forbund", problems, where)
    name = _text(document["name"], "name", problems, where)
    start = _date(document["start_date"], "start_date", problems, where)
    end = _date(document["end_date"], "end_date", problems, where)
    if start and end and end < start:
        problems.append(f"{where}: end_date {end} är före start_date {start}")
    participants = _number(document["participants"], "participants", problems, where, 1, 1_000_000)
    if participants is not None and participants != int(participants):
        problems.append(f"{where}: participants ska vara ett heltal")
    share = _number(document["expected_share"], "expected_share", problems, where, 0, 1)
    support_before = _support(document["support_before"], "support_before", problems, where)
    occupation = _code(document.get("occupation_before", "arbetssokande"), "occupation_before", OCCUPATION,
                       problems, where)
    education = _code(document.get("education_level", "okand"), "education_level", EDUCATION_LEVEL, problems, where)
    costs = _costs(document["costs"], problems, where)
    success = document.get("success") or {}
    if not isinstance(success, dict) or set(success) - {"occupation", "support"}:
        problems.append(f"{where}: success anger occupation och support (t.ex. arbete, lon:100)")
        success = {}
    success_occupation = _code(success.get("occupation", DEFAULT_SUCCESS["occupation"]), "success.occupation",
                               WORK_OR_STUDIES, problems, where)
    success_support = _support(success.get("support", DEFAULT_SUCCESS["support"]), "success.support", problems,
                               where)
    prerequisites = _prerequisites(document.get("prerequisites"), problems, where)
    project_id = document.get("project_id")
    project_id = "" if project_id in (None, "") else _text(project_id, "project_id", problems, where)
    scenarios = document.get("scenarios") or {}
    names = [str(k) for k in scenarios] if isinstance(scenarios, dict) else []
    if (not isinstance(scenarios, dict) or set(names) - set(SCENARIO_NAMES) or len(set(names)) != len(names)
            or not all(isinstance(v, dict | None) for v in scenarios.values())):
        problems.append(f"{where}: scenarios anges en gång var med namnen {', '.join(SCENARIO_NAMES)}, "
                        "och varje scenario som nycklar med värden")
        scenarios = {}
    if costs and start and end and end >= start:
        outside = sorted({c.year for c in costs if not start.year <= c.year <= end.year})
        if outside:
            problems.append(f"{where}: costs har år {', '.join(map(str, outside))} utanför projektets år "
                            f"{start.year}–{end.year}")
    if problems:
        raise PlanError(problems)
    return Plan(source=source, forbund=forbund, name=name,
                start_date=start, end_date=end, participants=int(participants), expected_share=share,
                support_before=support_before, occupation_before=occupation, education_level=education,
                target_group=str(document.get("target_group") or "").strip(), costs=costs,
                success_occupation=success_occupation, success_support=success_support,
                prerequisites=prerequisites, project_id=project_id,
                scenarios={str(k): dict(v or {}) for k, v in scenarios.items()})


def load_plan(path: Path | str) -> Plan:
    """Read and check one plan file."""
    path = Path(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=UniqueKeyLoader)  # noqa: S506
    except ValueError as exc:  # a YAML date that is no date (2026-13-01), from the date constructor
        raise PlanError([f"{path.name}: ett datum i planen finns inte ({exc})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" rad {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or "ogiltig YAML"
        raise PlanError([f"{path.name}{line}: planen går inte att läsa som YAML ({reason})"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([f"{path.name}: planen kan inte läsas ({exc.__class__.__name__})"]) from None
    return parse_plan(document, path.name)
