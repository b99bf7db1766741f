"""Ledger parameters: a versioned YAML file, each value with its basis."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from samverkan.ledger.actors import MEMBERS, actor_name

OUTCOMES = ("work_or_studies", "other")
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
    deadweight: dict[str, Range]
    attribution: float
    drop_off: Range
    default_shares: dict[str, float]
    forbund_shares: dict[str, dict[str, float]]
    mc_draws: int
    mc_seed: int
    unit_cost_sigma: dict[str, float]
    basis: dict[str, str] = field(default_factory=dict)

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
        for outcome, r in self.deadweight.items():
            rows.append({"parameter": f"dödvikt ({outcome})", "value": f"{r.value:g} ({r.low:g}–{r.high:g})",
                         "basis": r.basis})
        rows.append({"parameter": "attribution", "value": f"{self.attribution:g}",
                     "basis": self.basis.get("attribution", "")})
        rows.append({"parameter": "avtagande per år", "value":
                     f"{self.drop_off.value:g} ({self.drop_off.low:g}–{self.drop_off.high:g})",
                     "basis": self.drop_off.basis})
        shares = ", ".join(f"{a} {s:g}" for a, s in self.default_shares.items())
        rows.append({"parameter": "förbundsandelar (standard)", "value": shares,
                     "basis": self.basis.get("forbund_shares", "")})
        for name, mapping in self.forbund_shares.items():
            rows.append({"parameter": f"förbundsandelar ({name})",
                         "value": ", ".join(f"{a} {s:g}" for a, s in mapping.items()), "basis": "parameterfilen"})
        rows.append({"parameter": "Monte Carlo", "value": f"{self.mc_draws} dragningar, frö {self.mc_seed}",
                     "basis": self.basis.get("monte_carlo", "")})
        return rows


def _range(node: dict, name: str) -> Range:
    try:
        value = float(node["value"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"parametern {name} saknar ett numeriskt 'value'") from None
    low = float(node.get("low", value))
    high = float(node.get("high", value))
    if not 0 <= low <= value <= high <= 1:
        raise ValueError(f"parametern {name}: kräver 0 ≤ low ≤ value ≤ high ≤ 1, fick {low}, {value}, {high}")
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
    try:
        rate = float(data["discount_rate"]["value"])
        horizon = int(data["horizon_years"]["value"])
        deadweight = {o: _range(data["deadweight"][o], f"deadweight.{o}") for o in OUTCOMES}
        attribution = float(data["attribution"]["value"])
        drop_off = _range(data["drop_off"], "drop_off")
        shares_node = data["forbund_shares"]
        mc = data["monte_carlo"]
    except KeyError as exc:
        raise ValueError(f"{path.name}: parametern {exc.args[0]} saknas") from None
    if not 0 < attribution <= 1:
        raise ValueError("attribution ska ligga i (0, 1]")
    if horizon < 1:
        raise ValueError("horisonten måste vara minst ett år")
    sigma = {grade: float(mc["unit_cost_sigma"][grade]) for grade in CONFIDENCE}
    per_forbund = {str(name): _shares(m, f"forbund_shares.per_forbund[{name}]")
                   for name, m in (shares_node.get("per_forbund") or {}).items()}
    basis = {key: str(node.get("basis", "")).strip() for key, node in data.items() if isinstance(node, dict)}
    return LedgerParameters(
        version=f"{data.get('version', 'okänd')} ({path.name} {digest})",
        discount_rate=rate,
        horizon_years=horizon,
        deadweight=deadweight,
        attribution=attribution,
        drop_off=drop_off,
        default_shares=_shares(shares_node["default"], "forbund_shares.default"),
        forbund_shares=per_forbund,
        mc_draws=int(mc["draws"]),
        mc_seed=int(mc["seed"]),
        unit_cost_sigma=sigma,
        basis=basis,
    )
