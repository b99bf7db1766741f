"""The ways members can take over an effort after the project, as numbers the forecast runs on.

The shipped defaults (``samverkan/data/implementation_scenarios.yaml``, versioned, every value with its basis)
are merged with a plan's own ``scenarios`` overrides; both are range-checked, with one Swedish line per problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from samverkan.forecast.plan import SCENARIO_NAMES, PlanError

# field → (lowest, highest); every field is a number.
RANGES = {
    "years_after": (0, 20),
    "participants_share_after": (0.0, 2.0),
    "running_cost_share": (0.0, 3.0),
    "effect_strength": (0.0, 1.5),
    "extra_drop_off": (0.0, 1.0),
    "delay_years": (0, 10),
    "forbund_locked_share": (0.0, 1.0),
}
WHOLE = ("years_after", "delay_years")


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    description: str
    years_after: int
    participants_share_after: float
    running_cost_share: float
    effect_strength: float
    extra_drop_off: float
    delay_years: int
    forbund_locked_share: float
    basis: str
    overridden: tuple[str, ...] = ()  # fields the plan set itself


def default_file() -> Path:
    return Path(str(resources.files("samverkan") / "data" / "implementation_scenarios.yaml"))


def _checked(name: str, values: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    out = {}
    for key, (low, high) in RANGES.items():
        value = values.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"{where}: scenario {name}: {key} ska vara ett tal, fick {str(value)[:30]!r}")
            continue
        if not low <= value <= high:
            span = f"{low}–{high}".replace(".", ",")
            problems.append(f"{where}: scenario {name}: {key} = {value} ligger utanför {span}")
            continue
        if key in WHOLE and value != int(value):
            problems.append(f"{where}: scenario {name}: {key} ska vara ett heltal")
            continue
        out[key] = int(value) if key in WHOLE else float(value)
    return out


def load_scenarios(overrides: dict[str, dict[str, Any]] | None = None, path: Path | str | None = None,
                   source: str = "planen") -> tuple[str, dict[str, Scenario]]:
    # ``source`` is the plan's file name, so each line names the file it is about.
    """(version, scenarios in the order projekt, 1, 2, 3) with a plan's overrides merged over the defaults."""
    path = Path(path) if path else default_file()
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = document["scenarios"]
    problems: list[str] = []
    scenarios = {}
    for name in SCENARIO_NAMES:
        own = dict((overrides or {}).get(name) or {})
        unknown = sorted(set(own) - set(RANGES), key=str)
        if unknown:
            problems.append(f"{source}: scenario {name}: okända nycklar {', '.join(map(str, unknown))}; "
                            f"tillåtna: {', '.join(RANGES)}")
        merged = {**defaults[name], **{k: v for k, v in own.items() if k in RANGES}}
        values = _checked(name, merged, source if own else path.name, problems)
        if len(values) == len(RANGES):
            basis = defaults[name]["basis"]
            if own:
                basis += f" Planen anger själv: {', '.join(sorted(k for k in own if k in RANGES))}."
            scenarios[name] = Scenario(name=name, label=defaults[name]["label"],
                                       description=" ".join(defaults[name]["description"].split()),
                                       basis=" ".join(basis.split()),
                                       overridden=tuple(sorted(k for k in own if k in RANGES)), **values)
    if problems:
        raise PlanError(problems)
    return str(document["version"]), scenarios
