"""Ledger parameters: a versioned YAML file, each value with its basis.

An evaluator's file holds only the values to change; it is merged over the shipped file
(``samverkan/data/parameters.yaml``) and every value of the result is range-checked. See docs/scenarios.md.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from samverkan.ledger.actors import MEMBERS, actor_name
from samverkan.overrides import RunFileError, mark_evaluator_basis, merge, read_yaml, short_hash, unknown_keys

OUTCOMES = ("work_or_studies", "other")
# The key of p0, as other files (success_rules.yaml) name it.
P0_KEY = "counterfactual.work_or_studies"
CONFIDENCE = ("high", "medium", "low")
SHARE_MEMBERS = MEMBERS


def default_parameters_file() -> Path:
    return Path(str(resources.files("samverkan") / "data" / "parameters.yaml"))


@dataclass(frozen=True)
class Range:
    value: float
    low: float
    high: float
    basis: str = ""


@dataclass(frozen=True)
class LedgerParameters:
    version: str
    discount_rate: float
    horizon_years: int
    p0: Range  # share of comparable people reaching work or studies without the effort
    other_outcomes: Range  # share of other changes of support that would have happened anyway
    attribution: Range
    drop_off: Range
    default_shares: dict[str, float]
    forbund_shares: dict[str, dict[str, float]]
    mc_draws: int
    mc_seed: int
    unit_cost_sigma: dict[str, float]
    mc_outcome_draw: bool = True
    basis: dict[str, str] = field(default_factory=dict)
    p0_by_target_group: dict[str, float] = field(default_factory=dict)
    discount_range: Range = Range(0.04, 0.04, 0.04)
    horizon_range: Range = Range(5, 5, 5)
    unit_cost_level: Range = Range(1.0, 1.0, 1.0)
    # Per förbund, each member kommun's share of the kommuner's joint share of förbund money (sums to 1).
    kommun_shares: dict[str, dict[str, float]] = field(default_factory=dict)

    def p0_for(self, target_group: object) -> float:
        """p0 for a project's target group (the default where the group has no value of its own)."""
        if isinstance(target_group, str) and target_group in self.p0_by_target_group:
            return self.p0_by_target_group[target_group]
        return self.p0.value

    def shares_for(self, forbund: str) -> dict[str, float]:
        """The members' shares of förbund money for one förbund (actor name → share)."""
        return self.forbund_shares.get(forbund, self.default_shares)

    def with_overrides(self, discount_rate: float | None = None, horizon_years: int | None = None) -> LedgerParameters:
        """A copy with another rate or horizon; the version string says what was changed."""
        changes: dict[str, object] = {}
        notes = []
        if discount_rate is not None and discount_rate != self.discount_rate:
            changes["discount_rate"] = float(discount_rate)
            notes.append(f"rate={discount_rate:g}")
        if horizon_years is not None and horizon_years != self.horizon_years:
            if horizon_years < 1:
                raise ValueError("horisonten måste vara minst ett år")
            changes["horizon_years"] = int(horizon_years)
            notes.append(f"years={horizon_years}")
        if not changes:
            return self
        return replace(self, version=self.version + "+" + ",".join(notes), **changes)

    def table(self) -> list[dict[str, str]]:
        """Every parameter with its value and basis, for metadata and the method appendix."""
        rows = [
            {"parameter": "diskonteringsränta", "value": f"{self.discount_rate:g}",
             "basis": self.basis.get("discount_rate", "")},
            {"parameter": "horisont (år)", "value": str(self.horizon_years),
             "basis": self.basis.get("horizon_years", "")},
        ]
        def spread(r: Range) -> str:
            return f"{r.value:g} ({r.low:g}–{r.high:g})"

        rows[0]["value"] = spread(self.discount_range) if self.discount_range.value == self.discount_rate \
            else rows[0]["value"]
        rows[1]["value"] = spread(self.horizon_range) if self.horizon_range.value == self.horizon_years \
            else rows[1]["value"]
        rows.append({"parameter": "p0, andel i arbete eller studier utan insatsen", "value": spread(self.p0),
                     "basis": self.p0.basis})
        for group, value in self.p0_by_target_group.items():
            rows.append({"parameter": f"p0 ({group})", "value": f"{value:g}", "basis": self.p0.basis})
        rows.append({"parameter": "andra utfall som hade skett ändå", "value": spread(self.other_outcomes),
                     "basis": self.other_outcomes.basis})
        rows.append({"parameter": "attribution", "value": spread(self.attribution), "basis": self.attribution.basis})
        rows.append({"parameter": "avtagande per år", "value":
                     f"{self.drop_off.value:g} ({self.drop_off.low:g}–{self.drop_off.high:g})",
                     "basis": self.drop_off.basis})
        rows.append({"parameter": "enhetskostnadsnivå", "value": spread(self.unit_cost_level),
                     "basis": self.unit_cost_level.basis})
        shares = ", ".join(f"{a} {s:g}" for a, s in self.default_shares.items())
        rows.append({"parameter": "förbundsandelar (standard)", "value": shares,
                     "basis": self.basis.get("forbund_shares", "")})
        for name, mapping in self.forbund_shares.items():
            rows.append({"parameter": f"förbundsandelar ({name})",
                         "value": ", ".join(f"{a} {s:g}" for a, s in mapping.items()), "basis": "parameterfilen"})
        for name, mapping in self.kommun_shares.items():
            rows.append({"parameter": f"kommunernas andelar ({name})",
                         "value": ", ".join(f"{k} {s:g}" for k, s in mapping.items()), "basis": "parameterfilen"})
        rows.append({"parameter": "Monte Carlo", "value": f"{self.mc_draws} dragningar, frö {self.mc_seed}",
                     "basis": self.basis.get("monte_carlo", "")})
        return rows


_RANGE = {"value": None, "low": None, "high": None, "basis": None}
# Every key a parameters file may hold; None accepts anything below it (checked where it is read).
SHAPE: dict[str, Any] = {
    "version": None,
    "discount_rate": _RANGE,
    "horizon_years": _RANGE,
    "counterfactual": {"work_or_studies": {**_RANGE, "by_target_group": None}, "other_outcomes": _RANGE},
    "attribution": _RANGE,
    "drop_off": _RANGE,
    "unit_cost_level": _RANGE,
    "forbund_shares": {"basis": None, "default": None, "per_forbund": None},
    "monte_carlo": {"draws": None, "seed": None, "outcome_draw": None, "basis": None,
                    "unit_cost_sigma": {grade: None for grade in CONFIDENCE}},
}
# The values an evaluator may give, floor and ceiling: beyond these a figure is a typo (4 for 4 %), not a scenario.
BOUNDS: dict[str, tuple[float, float]] = {
    "discount_rate": (0.0, 0.2),
    "horizon_years": (1, 40),
    P0_KEY: (0.0, 1.0),
    "counterfactual.other_outcomes": (0.0, 1.0),
    "attribution": (0.0, 1.0),
    "drop_off": (0.0, 1.0),
    "unit_cost_level": (0.0, 10.0),
}
MC_DRAWS = (100, 100_000)
SIGMA_CEILING = 2.0
# The launchpad's typed fields → the parameter each one sets.
TYPED_FIELDS = {
    "discount_rate": "discount_rate",
    "horizon_years": "horizon_years",
    "counterfactual_share": P0_KEY,
    "drop_off": "drop_off",
    "attribution": "attribution",
}
WHERE = "parameterfilen"
KOMMUN_SHARES = "kommun_shares"


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _node(data: Mapping, key: str) -> object:
    node: object = data
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _own_interval(override: dict) -> None:
    """A value given without low/high is its own interval, as in a complete file.

    The shipped interval describes the doubt about the shipped value, not about the evaluator's.
    """
    for key in BOUNDS:
        node = _node(override, key)
        if isinstance(node, dict) and "value" in node:
            node.setdefault("low", node["value"])
            node.setdefault("high", node["value"])


def _range(data: Mapping, key: str, problems: list[str], origin: str) -> Range:
    node = _node(data, key)
    floor, ceiling = BOUNDS[key]
    if not isinstance(node, dict) or not _number(node.get("value")):
        problems.append(f"{origin}: {key}.value ska vara ett tal mellan {floor:g} och {ceiling:g}")
        return Range(floor, floor, floor)
    value = float(node["value"])
    low, high = node.get("low", value), node.get("high", value)
    if not _number(low) or not _number(high):
        problems.append(f"{origin}: {key}.low och {key}.high ska vara tal")
        return Range(value, value, value)
    if not floor <= value <= ceiling:
        problems.append(f"{origin}: {key}.value ska ligga mellan {floor:g} och {ceiling:g}, fick {value:g}")
    elif not floor <= low <= value <= high <= ceiling:
        problems.append(f"{origin}: {key} kräver {floor:g} ≤ low ≤ value ≤ high ≤ {ceiling:g}, "
                        f"fick low {low:g}, value {value:g}, high {high:g}")
    if key == "horizon_years" and not all(float(v).is_integer() for v in (value, low, high)):
        problems.append(f"{origin}: horizon_years ska anges i hela år, fick {value:g}")
    return Range(value, float(low), float(high), str(node.get("basis", "")).strip())


def _shares(mapping: object, where: str, problems: list[str]) -> dict[str, float]:
    if not isinstance(mapping, dict) or not all(_number(v) for v in mapping.values()):
        problems.append(f"{where}: ska vara medlemmar med andelar, t.ex. fk: 0.5, region: 0.25, kommun: 0.25")
        return {}
    shares: dict[str, float] = {}
    for key, value in mapping.items():
        actor = actor_name(key)
        if actor not in SHARE_MEMBERS:
            problems.append(f"{where}: {actor} är inte medlem i ett samordningsförbund")
        shares[actor] = shares.get(actor, 0.0) + float(value)
    if abs(sum(shares.values()) - 1.0) > 1e-9 or any(v < 0 for v in shares.values()):
        problems.append(f"{where}: andelarna ska vara icke-negativa och summera till 1, fick "
                        + ", ".join(f"{a} {s:g}" for a, s in shares.items()))
    return {a: shares[a] for a in SHARE_MEMBERS if a in shares}


def _kommun_shares(mapping: object, where: str, problems: list[str]) -> dict[str, float]:
    """Each member kommun's share of the kommuner's joint share: the law sets only the joint share."""
    if not isinstance(mapping, dict) or not mapping or not all(_number(v) for v in mapping.values()):
        problems.append(f"{where}: ska vara kommuner med andelar, t.ex. Borås: 0.6, Ulricehamn: 0.4")
        return {}
    shares = {str(k).strip(): float(v) for k, v in mapping.items()}
    if abs(sum(shares.values()) - 1.0) > 1e-9 or any(v < 0 for v in shares.values()):
        problems.append(f"{where}: kommunernas andelar ska vara icke-negativa och summera till 1, fick "
                        + ", ".join(f"{k} {v:g}" for k, v in shares.items()))
    return shares


def _integer(value: object, where: str, bounds: tuple[int, int] | None, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (bounds and not bounds[0] <= value <= bounds[1]):
        span = f" mellan {bounds[0]} och {bounds[1]}" if bounds else ""
        problems.append(f"{where} ska vara ett heltal{span}, fick {value!r}")
        return bounds[0] if bounds else 0
    return value


def _monte_carlo(mc: object, origin: str, problems: list[str]) -> tuple[int, int, dict[str, float], bool]:
    mc = mc if isinstance(mc, dict) else {}
    draws = _integer(mc.get("draws"), f"{origin}: monte_carlo.draws", MC_DRAWS, problems)
    seed = _integer(mc.get("seed"), f"{origin}: monte_carlo.seed", None, problems)
    sigma_node = mc.get("unit_cost_sigma") if isinstance(mc.get("unit_cost_sigma"), dict) else {}
    sigma = {}
    for grade in CONFIDENCE:
        value = sigma_node.get(grade)
        if not _number(value) or not 0 <= value <= SIGMA_CEILING:
            problems.append(f"{origin}: monte_carlo.unit_cost_sigma.{grade} ska vara ett tal mellan 0 och "
                            f"{SIGMA_CEILING:g}, fick {value!r}")
            value = 0.0
        sigma[grade] = float(value)
    draw = mc.get("outcome_draw", True)
    if not isinstance(draw, bool):
        problems.append(f"{origin}: monte_carlo.outcome_draw ska vara true eller false, fick {draw!r}")
    return draws, seed, sigma, bool(draw)


def parameters_from_overrides(mapping: Mapping[str, object]) -> dict[str, Any]:
    """A partial parameters document from the launchpad's typed fields (empty fields are left out).

    The fields are ``TYPED_FIELDS``: discount_rate, horizon_years, counterfactual_share (p0), drop_off and
    attribution. The result is merged over the parameters file like any partial file and checked the same way.
    """
    unknown = [str(k) for k in mapping if k not in TYPED_FIELDS]
    if unknown:
        raise RunFileError([f"okänt parameterfält {k} (tillåtna: {', '.join(TYPED_FIELDS)})" for k in unknown])
    document: dict[str, Any] = {}
    for name, value in mapping.items():
        if value is None or value == "":
            continue
        node = document
        *parents, leaf = TYPED_FIELDS[name].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = {"value": value}
    return document


def _layer(document: dict, override: dict, origin: str) -> tuple[dict, list[str]]:
    problems = unknown_keys(override, SHAPE, origin)
    if "deadweight" in override:
        problems = [f"{origin}: 'deadweight' har ersatts av counterfactual.work_or_studies (p0) och "
                    f"counterfactual.other_outcomes; se samverkan/data/parameters.yaml"]
    _own_interval(override)
    merged = merge(document, override, frozenset({"forbund_shares.default"}))
    mark_evaluator_basis(merged, override, document,
                         lambda node: f"{node['value']:g}" if _number(node.get("value")) else "")
    return merged, problems


def load_parameters(path: Path | str | None = None, overrides: Mapping[str, Any] | None = None) -> LedgerParameters:
    """The shipped parameters, with the (partial) file ``path`` and then the document ``overrides`` merged over.

    ``overrides`` is a partial document such as ``parameters_from_overrides`` makes. Every problem is one
    Swedish line; all of them are raised together as ``RunFileError``.
    """
    shipped = default_parameters_file()
    data, raw = read_yaml(shipped, WHERE)
    version = f"{data.get('version', 'okänd')} ({shipped.name} {short_hash(raw)})"
    problems: list[str] = []
    origin = WHERE
    changes = []
    if path and Path(path).resolve() != shipped.resolve():
        override, raw_override = read_yaml(Path(path), WHERE)
        origin = f"{WHERE} {Path(path).name}"
        data, problems = _layer(data, override, origin)
        changes.append(short_hash(raw_override))
    if overrides:
        data, more = _layer(data, copy.deepcopy(dict(overrides)), "parameterfälten")
        problems += more
        changes.append(short_hash(yaml.safe_dump(dict(overrides), sort_keys=True).encode("utf-8")))
    if changes:
        version = "+".join([str(data.get("version", "okänd")), *changes])
    return _parameters(data, version, origin, problems)


def _parameters(data: dict, version: str, origin: str, problems: list[str]) -> LedgerParameters:
    if not isinstance(data.get("version"), str) or not data["version"].strip():
        problems.append(f'{origin}: version ska vara en text inom citattecken, t.ex. "2026.1"')
    ranges = {key: _range(data, key, problems, origin) for key in BOUNDS}
    if ranges["attribution"].value == 0:
        problems.append(f"{origin}: attribution ska vara större än 0")
    p0_node = _node(data, P0_KEY)
    by_group: dict[str, float] = {}
    groups = p0_node.get("by_target_group") if isinstance(p0_node, dict) else None
    for group, value in (groups if isinstance(groups, dict) else {}).items():
        if not _number(value) or not 0 <= value <= 1:
            problems.append(f"{origin}: {P0_KEY}.by_target_group[{group}] ska vara ett tal mellan 0 och 1")
            continue
        by_group[str(group)] = float(value)
    shares_node = data.get("forbund_shares") if isinstance(data.get("forbund_shares"), dict) else {}
    default_shares = _shares(shares_node.get("default"), f"{origin}: forbund_shares.default", problems)
    per_node = shares_node.get("per_forbund") or {}
    if not isinstance(per_node, dict):
        problems.append(f"{origin}: forbund_shares.per_forbund ska vara förbundsnamn med andelar")
        per_node = {}
    per_forbund: dict[str, dict[str, float]] = {}
    kommun_shares: dict[str, dict[str, float]] = {}
    for name, mapping in per_node.items():
        where = f"{origin}: forbund_shares.per_forbund[{name}]"
        members = dict(mapping) if isinstance(mapping, dict) else mapping
        if isinstance(members, dict) and KOMMUN_SHARES in members:
            kommun_shares[str(name)] = _kommun_shares(members.pop(KOMMUN_SHARES), f"{where}.{KOMMUN_SHARES}",
                                                      problems)
            if not members:  # only the kommuner's split given: the members' shares stay the default
                continue
        per_forbund[str(name)] = _shares(members, where, problems)
    draws, seed, sigma, outcome_draw = _monte_carlo(data.get("monte_carlo"), origin, problems)
    if problems:
        raise RunFileError(problems)
    basis = {key: str(node.get("basis", "")).strip() for key, node in data.items() if isinstance(node, dict)}
    rate, horizon = ranges["discount_rate"], ranges["horizon_years"]
    return LedgerParameters(
        version=version,
        discount_rate=rate.value,
        horizon_years=int(horizon.value),
        p0=ranges[P0_KEY],
        other_outcomes=ranges["counterfactual.other_outcomes"],
        attribution=ranges["attribution"],
        drop_off=ranges["drop_off"],
        default_shares=default_shares,
        forbund_shares=per_forbund,
        mc_draws=draws,
        mc_seed=seed,
        unit_cost_sigma=sigma,
        mc_outcome_draw=outcome_draw,
        basis=basis,
        p0_by_target_group=by_group,
        discount_range=rate,
        horizon_range=horizon,
        unit_cost_level=ranges["unit_cost_level"],
        kommun_shares=kommun_shares,
    )
