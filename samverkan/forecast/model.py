"""The forecast model: a plan priced with the ledger's catalogue, counterfactual and present value.

One model, not two: a planned participant's situation before is the plan's ``support_before`` +
``occupation_before``, after a success the plan's ``success`` situation, and a participant who does not succeed is
unchanged (no effect). Both situations are priced with ``effects.situation_weights`` on the ledger's catalogue;
of N planned participants of whom k succeed, ``effects.attributable`` (max(0, k − p₀·N)) are attributable, and
each attributable success keeps the ledger's attribution and drop-off over the ledger's horizon.

Time: the year of ``start_date`` is year 1 (undiscounted); every amount of year t is discounted by (1 + r)^−(t−1).
The planned participants leave evenly over the project's calendar years; a leaver of year t has effects in years
t … t + H − 1. A scenario adds years after the project (see ``docs/forecast.md``): a running cost, more
participants, a success share scaled by ``effect_strength``, an extra drop-off and a delay of the effects.

Everything an actor gets is linear in one number W(k) — the present value of the attributable successes when k of
the N planned participants succeed — so net(k) = round(g·W(k)) − round(I) per actor, and the break-even count has
a closed form (the inverse of the piecewise-linear W), verified against the same net function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan.forecast.plan import Plan
from samverkan.forecast.scenarios import Scenario
from samverkan.ledger.actors import ACTORS, ACTORS_WITH_TOTAL, MEMBERS
from samverkan.ledger.catalogue import Catalogue
from samverkan.ledger.effects import attributable, situation_weights
from samverkan.ledger.investment import investment_shares
from samverkan.ledger.parameters import LedgerParameters
from samverkan.ledger.present_value import cumulative_factors, discount_factors, round_kronor

MEMBER_INDEX = [ACTORS.index(m) for m in MEMBERS]
# Guards the ceiling against a float that lands a hair above a whole number (7.000000000000001 → 7).
CEIL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Pricing:
    """A success's gross yearly effect per actor (cost before − cost after; production: after − before)."""

    cost_before: np.ndarray  # (actors,)
    cost_after: np.ndarray
    unmatched_codes: tuple[str, ...]

    @property
    def gross(self) -> np.ndarray:
        return self.cost_before - self.cost_after


def price_success(plan: Plan, catalogue: Catalogue) -> Pricing:
    """Price the plan's situation before and after a success with the ledger's catalogue."""
    weights, unmatched = situation_weights([plan.support_before, plan.success_support],
                                           [plan.occupation_before, plan.success_occupation], catalogue)
    costs = weights @ catalogue.costs
    return Pricing(cost_before=costs[0], cost_after=costs[1], unmatched_codes=tuple(unmatched))


@dataclass(frozen=True)
class ScenarioModel:
    """One scenario's numbers: net(k) per actor follows from these alone.

    W(k) = Σ_terms weight · max(0, share · k − p₀·N): one term for the project's participants (share 1) and one for
    those served after it (share = effect_strength, weight scaled by their number relative to N).
    """

    scenario: Scenario
    participants: int
    p0: float
    terms: tuple[tuple[float, float], ...]  # (weight, share)
    gain: np.ndarray  # (actors,): gross yearly effect × attribution, per unit of W
    investment: np.ndarray  # (actors,): present value of every cost, project and after
    running_cost_per_year: np.ndarray  # (actors,): the cost each actor bears per year after the project
    participants_per_year_after: float
    forbund_locked_pv: float

    def weight(self, k: float) -> float:
        """W(k): present value of one krona of yearly gain per attributable success, summed over the cohorts."""
        c = self.p0 * self.participants
        return float(sum(w * attributable(b * k, 1, c) for w, b in self.terms))

    def effect(self, k: float) -> np.ndarray:
        """Effects per actor and Summa in whole kronor (Summa = the sum of the rounded actors, as the ledger)."""
        values = round_kronor(self.gain * self.weight(k))
        return np.append(values, values.sum())

    def invested(self) -> np.ndarray:
        values = round_kronor(self.investment)
        return np.append(values, values.sum())

    def net(self, k: float) -> np.ndarray:
        """Net per actor and Summa when k of the planned participants succeed (k may be fractional: expected)."""
        return self.effect(k) - self.invested()

    def inverse(self, target: float) -> float:
        """The smallest real k ≥ 0 with W(k) ≥ target (inf when W never gets there)."""
        if target <= 0:
            return 0.0
        c = self.p0 * self.participants
        kinks = sorted((c / b, w * b) for w, b in self.terms if w * b > 0)
        at, value, slope = 0.0, 0.0, 0.0
        for kink, extra in kinks:
            if slope > 0 and value + slope * (kink - at) >= target:
                return at + (target - value) / slope
            value += slope * (kink - at)
            at, slope = kink, slope + extra
        return at + (target - value) / slope if slope > 0 else math.inf

    def break_even(self, column: int) -> int | None:
        """Smallest whole k in 0..N at which the column's net ≥ 0; None for no investment or out of reach.

        Closed form: k = ⌈W⁻¹(I / g)⌉. Rounding to whole kronor can move the boundary by at most one success,
        so the candidate is checked with ``net`` and moved until k breaks even and k − 1 does not.
        """
        invested = self.invested()[column]
        if invested <= 0:
            return None
        gain = self.gain.sum() if column == len(ACTORS) else self.gain[column]
        if gain <= 0:
            return None
        exact = self.inverse(invested / gain)
        if not math.isfinite(exact) or exact > self.participants + 1:
            return None
        k = max(0, math.ceil(exact - CEIL_TOLERANCE))
        while k > 0 and self.net(k - 1)[column] >= 0:
            k -= 1
        while k <= self.participants and self.net(k)[column] < 0:
            k += 1
        return k if k <= self.participants else None


def _discount(rate: float, first: int, count: int) -> np.ndarray:
    """Discount factors of the project years first … first + count − 1 (year 1 = 1.0)."""
    if count <= 0:
        return np.zeros(0)
    return discount_factors(rate, first + count - 1)[first - 1:]


def project_investment(plan: Plan, parameters: LedgerParameters) -> tuple[np.ndarray, np.ndarray]:
    """(present value, undiscounted sum) per actor of the plan's costs, förbund money apportioned as the ledger."""
    if not plan.costs:
        return np.zeros(len(ACTORS)), np.zeros(len(ACTORS))
    financier = pd.Series([c.financier for c in plan.costs])
    shares = investment_shares(financier, pd.Series([plan.forbund] * len(plan.costs)), parameters)
    amounts = np.array([c.amount_sek for c in plan.costs])
    offsets = np.array([c.year - plan.start_date.year for c in plan.costs])
    discount = discount_factors(parameters.discount_rate, int(offsets.max()) + 1)[offsets]
    return (shares * (amounts * discount)[:, None]).sum(axis=0), (shares * amounts[:, None]).sum(axis=0)


def running_split(undiscounted: np.ndarray, parameters: LedgerParameters, forbund: str, locked: float
                  ) -> np.ndarray:
    """Per actor, the share of the running cost after the project it bears.

    The members take over the parts they staff: (1 − locked) is split by the members' shares of the project's own
    investment (förbund money apportioned); the locked share stays förbund money, split by the förbund's shares.
    Övriga (e.g. ESF) does not carry on after the project.
    """
    split = np.zeros(len(ACTORS))
    members = undiscounted[MEMBER_INDEX]
    forbund_split = np.zeros(len(ACTORS))
    for actor, share in parameters.shares_for(forbund).items():
        forbund_split[ACTORS.index(actor)] = share
    if members.sum() > 0:
        split[MEMBER_INDEX] = members / members.sum()
    else:
        split = forbund_split.copy()
    return (1.0 - locked) * split + locked * forbund_split


def scenario_model(plan: Plan, scenario: Scenario, pricing: Pricing, parameters: LedgerParameters) -> ScenarioModel:
    """The numbers net(k) is computed from, for one plan and scenario (formulas in ``docs/forecast.md``)."""
    rate, horizon, drop_off = parameters.discount_rate, parameters.horizon_years, parameters.drop_off.value
    years = plan.years
    project_pv, project_sum = project_investment(plan, parameters)
    lasting = cumulative_factors(rate, horizon, drop_off)[-1]
    terms = [(float(_discount(rate, 1, years).mean() * lasting), 1.0)]
    after = scenario.years_after
    per_year_after = scenario.participants_share_after * plan.participants / years
    if after > 0 and per_year_after > 0 and scenario.effect_strength > 0:
        fading = cumulative_factors(rate, horizon, min(1.0, drop_off + scenario.extra_drop_off))[-1]
        later = _discount(rate, years + 1 + scenario.delay_years, after).mean() * fading
        terms.append((float(later * per_year_after * after / plan.participants), scenario.effect_strength))
    running_total = scenario.running_cost_share * project_sum.sum() / years
    per_year = running_total * running_split(project_sum, parameters, plan.forbund, scenario.forbund_locked_share)
    after_discount = _discount(rate, years + 1, after).sum()
    return ScenarioModel(
        scenario=scenario, participants=plan.participants, p0=parameters.p0_for(plan.target_group or None),
        terms=tuple(terms), gain=pricing.gross * parameters.attribution.value,
        investment=project_pv + per_year * after_discount, running_cost_per_year=per_year,
        participants_per_year_after=per_year_after if after > 0 else 0.0,
        forbund_locked_pv=float(running_total * scenario.forbund_locked_share * after_discount))


def expected_successes(plan: Plan) -> float:
    """k = expected_share · N, cleared of float dust so a plan of exactly k/N gives k."""
    return round(plan.expected_share * plan.participants, 9)


FORECAST_COLUMNS = ["scenario", "actor", "investment_sek", "effect_pv_sek", "net_sek", "break_even_successes"]


def forecast_table(plan: Plan, models: list[ScenarioModel]) -> pd.DataFrame:
    """``FORECAST_COLUMNS``: one row per scenario and actor (Summa last), at the plan's expected successes."""
    k = expected_successes(plan)
    rows = []
    for model in models:
        invested, effect = model.invested(), model.effect(k)
        for j, actor in enumerate(ACTORS_WITH_TOTAL):
            rows.append((model.scenario.name, actor, int(invested[j]), int(effect[j]), int(effect[j] - invested[j]),
                         model.break_even(j)))
    frame = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    frame["break_even_successes"] = frame["break_even_successes"].astype("Int64")
    return frame


MAX_CHART_POINTS = 1000


def chart_table(plan: Plan, models: list[ScenarioModel]) -> pd.DataFrame:
    """Net per actor against the number of successes k = 0..N (every k up to 1 000 participants, else a grid
    that keeps 0, N and every break-even count), one row per scenario and k."""
    n = plan.participants
    step = max(1, math.ceil(n / MAX_CHART_POINTS))
    rows = []
    for model in models:
        ks = set(range(0, n + 1, step)) | {n}
        ks |= {b for j in range(len(ACTORS_WITH_TOTAL)) if (b := model.break_even(j)) is not None}
        for k in sorted(ks):
            rows.append((model.scenario.name, k, *map(int, model.net(k))))
    return pd.DataFrame(rows, columns=["scenario", "successes", *ACTORS_WITH_TOTAL])
