"""Ledger parameters: a versioned YAML file, each value with its basis."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from samverkan.ledger.actors import MEMBERS, actor_name

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
        rows.append({"parameter": "Monte Carlo", "value": f"{self.mc_draws} dragningar, frö {self.mc_seed}",
                     "basis": self.basis.get("monte_carlo", "")})
        return rows


def _range(node: dict, name: str, floor: float = 0.0, ceiling: float = 1.0) -> Range:
    try:
        value = float(node["value"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"parametern {name} saknar ett numeriskt 'value'") from None
    low = float(node.get("low", value))
    high = float(node.get("high", value))
    if not floor <= low <= value <= high <= ceiling:
        raise ValueError(f"parametern {name}: kräver {floor:g} ≤ low ≤ value ≤ high ≤ {ceiling:g}, "
                         f"fick {low}, {value}, {high}")
    return Range(value, low, high, str(node.get("basis", "")).strip())


def _shares(mapping: dict, where: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for key, value in (mapping or {}).items():
        actor = actor_name(key)
        if actor not in SHARE_MEMBERS:
            raise ValueError(f"{where}: {actor} är inte medlem i ett samordningsförbund")
        shares[actor] = shares.get(actor, 0.0) + float(value)
    if abs(sum(shares.values()) - 1.0) > 1e-9 or any(v < 0 for v in shares.values()):
        raise ValueError(f"{where}: andelarna ska vara icke-negativa och summera till 1, fick {shares}")
    return {a: shares[a] for a in SHARE_MEMBERS if a in shares}


def load_parameters(path: Path | str | None = None) -> LedgerParameters:
    """Read and check a parameters file (the shipped one when ``path`` is empty)."""
    path = Path(path) if path else default_parameters_file()
    raw_bytes = path.read_bytes()
    data = yaml.safe_load(raw_bytes) or {}
    digest = hashlib.sha256(raw_bytes).hexdigest()[:8]
    if "deadweight" in data:
        raise ValueError(f"{path.name}: 'deadweight' har ersatts av counterfactual.work_or_studies (p0) och "
                         f"counterfactual.other_outcomes; se samverkan/data/parameters.yaml")
    try:
        rate_range = _range(data["discount_rate"], "discount_rate", -0.99, 1.0)
        horizon_range = _range(data["horizon_years"], "horizon_years", 1, 100)
        counterfactual = data["counterfactual"]
        p0 = _range(counterfactual["work_or_studies"], P0_KEY)
        other = _range(counterfactual["other_outcomes"], "counterfactual.other_outcomes")
        attribution = _range(data["attribution"], "attribution")
        drop_off = _range(data["drop_off"], "drop_off")
        level = _range(data.get("unit_cost_level", {"value": 1.0}), "unit_cost_level", 0.0, 10.0)
        shares_node = data["forbund_shares"]
        mc = data["monte_carlo"]
    except KeyError as exc:
        raise ValueError(f"{path.name}: parametern {exc.args[0]} saknas") from None
    if not 0 < attribution.value <= 1:
        raise ValueError("attribution ska ligga i (0, 1]")
    by_group = {}
    for group, value in (counterfactual["work_or_studies"].get("by_target_group") or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{P0_KEY}.by_target_group[{group}] ska vara ett tal mellan 0 och 1")
        by_group[str(group)] = float(value)
    sigma = {grade: float(mc["unit_cost_sigma"][grade]) for grade in CONFIDENCE}
    per_forbund = {str(name): _shares(m, f"forbund_shares.per_forbund[{name}]")
                   for name, m in (shares_node.get("per_forbund") or {}).items()}
    basis = {key: str(node.get("basis", "")).strip() for key, node in data.items() if isinstance(node, dict)}
    return LedgerParameters(
        version=f"{data.get('version', 'okänd')} ({path.name} {digest})",
        discount_rate=rate_range.value,
        horizon_years=int(horizon_range.value),
        p0=p0,
        other_outcomes=other,
        attribution=attribution,
        drop_off=drop_off,
        default_shares=_shares(shares_node["default"], "forbund_shares.default"),
        forbund_shares=per_forbund,
        mc_draws=int(mc["draws"]),
        mc_seed=int(mc["seed"]),
        unit_cost_sigma=sigma,
        mc_outcome_draw=bool(mc.get("outcome_draw", True)),
        basis=basis,
        p0_by_target_group=by_group,
        discount_range=rate_range,
        horizon_range=horizon_range,
        unit_cost_level=level,
    )
