"""The ledger's arithmetic as one DuckDB query: a yardstick for what this machine can do.

The same steps as ``samverkan.ledger`` (cohort of the year, after-situation
rules, each participant's target group from their own data (the project's code
as fallback), support codes with extent priced with the catalogue (for each
kind the most specific row by occupation, target group and education level;
whole-person rows per occupation and target group, reduced in work or studies),
cost before − cost after per actor, the counterfactual p0 (per project
max(0, k − p0·N) / k of each work-or-studies effect; other outcomes
1 − other_outcomes) and attribution, cumulative present value by year,
investment shares, sums per förbund, project and actor) written as SQL over the
same validated frames. Small lookup tables (catalogue costs, investment shares,
cumulative factors) are computed in Python from the same files; every row-level
operation is in the query. The result is checked against the Python ledger:
per actor, the effect after the horizon and the investment must agree to the
krona, so the comparison is of equal work.

    .venv/bin/python benchmarks/ledger_duckdb.py --storage <SAMVERKAN_STORAGE of a run> --year 2025
"""

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES  # noqa: E402
from samverkan.ledger.actors import ACTORS  # noqa: E402
from samverkan.ledger.catalogue import load_catalogue  # noqa: E402
from samverkan.ledger.effects import AFTER_FROM_OCCUPATION  # noqa: E402
from samverkan.ledger.investment import investment_shares  # noqa: E402
from samverkan.ledger.parameters import load_parameters  # noqa: E402
from samverkan.ledger.present_value import cumulative_factors  # noqa: E402
from samverkan.ledger.results import ledger_results  # noqa: E402
from samverkan.ledger.target_groups import FALLBACK_GROUP, YOUNG_AGE, project_groups  # noqa: E402
from samverkan.ledger.trace import ledger_contributions  # noqa: E402

QUERY = """
with cohort as (
    select row_number() over () as episode, p.project_id, j.forbund,
           coalesce(p.support_before, '') as support_before,
           coalesce(p.occupation_before, '') as occ_before,
           coalesce(p.support_after, '') as support_after,
           coalesce(p.occupation_after, '') as occ_after,
           coalesce(p.education_level, '') as edu,
           case when regexp_matches(p.support_before, '(^|[|])etableringsersattning(:|[|]|$)') then 'nyanlanda'
                when regexp_matches(p.support_before,
                                    '(^|[|])(sjukpenning|sjukersattning|aktivitetsersattning)(:|[|]|$)')
                     then 'langtidssjuk'
                when year(p.enrolled_on) - p.birth_year < $young
                     and coalesce(p.occupation_before, '') not in (select occupation from work_or_studies)
                     then 'unga_vuxna'
                when regexp_matches(p.support_before, '(^|[|])forsorjningsstod(:|[|]|$)') then 'langtidsarbetslos'
                else coalesce(g.target_group, $fallback_group)
           end as grp
    from participants p
    join (select distinct on (project_id) project_id, forbund from projects) j using (project_id)
    left join project_groups g using (project_id)
    where year(p.exited_on) = $year and coalesce(p.exit_reason, '') <> $misregistered
),
resolved as (
    select *,
        case when support_after <> '' then support_after
             else coalesce((select m.support from after_map m where m.occupation = occ_after), support_before)
        end as support_used,
        case when support_after = '' and occ_after not in (select occupation from after_map) then occ_before
             when occ_after = '' then occ_before else occ_after end as occ_used
    from cohort
),
sides as (
    select episode, 0 as side, support_before as support, occ_before as occ, grp, edu from resolved
    union all
    select episode, 1, support_used, occ_used, grp, edu from resolved
),
items as (
    select row_number() over () as item_no, episode, side, occ, grp, edu, split_part(item, ':', 1) as code,
           coalesce(try_cast(nullif(split_part(item, ':', 2), '') as double), 100) / 100 as extent
    from (select episode, side, occ, grp, edu, unnest(string_split(support, '|')) as item
          from sides where support <> '')
),
candidates as (
    -- Per kind the most specific rows: occupation counts most, then target group, then education level.
    select i.episode, i.side, c.row, i.extent as weight
    from items i join catalogue_items c on c.code = i.code
        and c.occupation in ('', i.occ) and c.target_group in ('', i.grp) and c.education_level in ('', i.edu)
    qualify c.rank = max(c.rank) over (partition by i.item_no, c.kind)
),
weights as (
    select episode, side, row, weight from candidates
    union all
    select s.episode, s.side, w.row,
           case when s.occ in (select occupation from work_or_studies) then 1 - w.reduction else 1.0 end
    from sides s join catalogue_whole w on w.occupation in ('', s.occ) and w.target_group in ('', s.grp)
),
costs as (
    select w.episode, c.actor,
           sum(case when w.side = 0 then w.weight * c.cost else 0 end) as before,
           sum(case when w.side = 1 then w.weight * c.cost else 0 end) as after
    from weights w join catalogue_costs c using (row)
    group by all
),
outcomes as (
    select episode, project_id, forbund, occ_used in (select occupation from work_or_studies) as work
    from resolved
),
counts as (
    select o.project_id, count(*) as leavers, sum(o.work::int) as to_work, any_value(coalesce(q.p0, $p0)) as p0
    from outcomes o left join project_p0 q using (project_id) group by o.project_id
),
effects as (
    select o.forbund, o.project_id, c.actor,
           (c.before - c.after) * $attribution
           * case when o.work then greatest(0, n.to_work - n.p0 * n.leavers) / n.to_work
                  else 1 - $other end as yearly
    from costs c join outcomes o using (episode) join counts n using (project_id)
),
investment as (
    select j.forbund, k.project_id, s.actor, sum(k.amount_sek * s.share) as invested
    from project_costs k
    join (select distinct on (project_id) project_id, forbund from projects) j using (project_id)
    join shares s on s.financier = k.financier and s.forbund = j.forbund
    where k.year = $year
    group by all
),
per_actor as (
    select forbund, project_id, actor, sum(yearly) as yearly, 0.0 as invested from effects group by all
    union all
    select forbund, project_id, actor, 0.0, invested from investment
),
ledger as (
    select forbund, project_id, actor, sum(yearly) as yearly, sum(invested) as invested
    from per_actor group by grouping sets ((forbund, project_id, actor), (forbund, actor))
)
select l.forbund, coalesce(l.project_id, 'ALL') as project_id, l.actor, f.year,
       round(l.yearly * f.factor) as effect_pv, round(l.invested) as investment,
       round(l.yearly * f.factor) - round(l.invested) as net
from ledger l cross join factors f
"""


def lookups(frames: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    catalogue = load_catalogue(year)
    parameters = load_parameters()
    rows = catalogue.rows
    items = rows[rows["support_code"] != ""]
    whole = rows[rows["support_code"] == ""]
    projects = frames["projects"].drop_duplicates("project_id")
    costs = pd.DataFrame(
        [(r, ACTORS[a], float(catalogue.costs[r, a])) for r in range(len(rows)) for a in range(len(ACTORS))
         if catalogue.costs[r, a] != 0],
        columns=["row", "actor", "cost"],
    )
    pairs = frames["project_costs"][["financier"]].drop_duplicates().merge(
        frames["projects"][["forbund"]].drop_duplicates(), how="cross")
    share = investment_shares(pairs["financier"], pairs["forbund"], parameters)
    r, a = np.nonzero(share)
    factors = cumulative_factors(parameters.discount_rate, parameters.horizon_years, parameters.drop_off.value)
    return {
        "catalogue_items": pd.DataFrame({
            "code": items["support_code"].to_numpy(), "occupation": items["occupation"].to_numpy(),
            "target_group": items["target_group"].to_numpy(), "education_level": items["education_level"].to_numpy(),
            "kind": items["kind"].to_numpy(), "row": items.index,
            "rank": ((items["occupation"] != "") * 4 + (items["target_group"] != "") * 2
                     + (items["education_level"] != "")).to_numpy()}),
        "catalogue_whole": pd.DataFrame({"occupation": whole["occupation"].to_numpy(),
                                         "target_group": whole["target_group"].to_numpy(),
                                         "reduction": whole["reduction_in_work"].to_numpy(), "row": whole.index}),
        "project_groups": project_groups(projects).rename("target_group").rename_axis("project_id").reset_index(),
        "project_p0": pd.DataFrame({"project_id": projects["project_id"].to_numpy(),
                                    "p0": [parameters.p0_for(g) for g in projects.get("target_group", [None] * len(
                                        projects))]}),
        "catalogue_costs": costs,
        "after_map": pd.DataFrame({"occupation": list(AFTER_FROM_OCCUPATION),
                                   "support": list(AFTER_FROM_OCCUPATION.values())}),
        "work_or_studies": pd.DataFrame({"occupation": list(WORK_OR_STUDIES)}),
        "shares": pd.DataFrame({"financier": pairs["financier"].to_numpy()[r],
                                "forbund": pairs["forbund"].to_numpy()[r],
                                "actor": np.array(ACTORS)[a], "share": share[r, a]}),
        "factors": pd.DataFrame({"year": np.arange(1, len(factors) + 1), "factor": factors}),
    }


REPEATS = 3


def _best(function):
    value = function()
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def load_frames(storage: Path, year: int) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(Path(storage) / name / f"{year}.parquet")
            for name in ("participants", "projects", "project_costs")}


def duckdb_ledger(storage: Path, year: int, threads: int = 2) -> dict:
    """Time the DuckDB query and the Python ledger on the same frames; check they agree."""
    try:
        frames = load_frames(storage, year)
    except FileNotFoundError as exc:
        return {"available": False, "reason": f"not available: {exc}"}
    tables = lookups(frames, year)
    con = duckdb.connect(config={"threads": threads})
    for name, frame in {**frames, **tables}.items():
        con.register(name, frame)
    catalogue, parameters = load_catalogue(year), load_parameters()
    params = {"year": year, "misregistered": EXIT_REASON_MISREGISTERED, "young": YOUNG_AGE,
              "fallback_group": FALLBACK_GROUP, "p0": parameters.p0.value, "other": parameters.other_outcomes.value,
              "attribution": parameters.attribution.value}

    def duck() -> pd.DataFrame:
        return con.execute(QUERY, params).df()

    def python() -> tuple:
        contributions = ledger_contributions(frames["participants"], frames["projects"], frames["project_costs"],
                                             year, catalogue, parameters)
        return contributions, ledger_results(contributions.frame, parameters).table

    # Both warmed up once, then the best of REPEATS: the machine is shared, the minimum is the least disturbed.
    duck_seconds, result = _best(duck)
    python_seconds, (contributions, table) = _best(python)

    # Agreement per actor over all förbund (rounding per project aside: sums of rounded figures).
    last = result[(result["year"] == parameters.horizon_years) & (result["project_id"] != "ALL")]
    duck = last.groupby("actor")[["effect_pv", "investment"]].sum()
    python = table[(table["project_id"] != "ALL") & table["actor"].isin(ACTORS)]
    python = python.groupby(python["actor"].astype("str"))[["effect_pv_sek", "investment_sek"]].sum()
    joined = duck.join(python, how="outer").fillna(0)
    episodes = int(contributions.info.get("cohort_episodes", 0))
    differences = {
        actor: {"effect_pv": float(row["effect_pv"] - row["effect_pv_sek"]),
                "investment": float(row["investment"] - row["investment_sek"])}
        for actor, row in joined.iterrows()
    }
    worst = max((abs(v) for d in differences.values() for v in d.values()), default=0.0)
    # Each side rounds per project and actor; the sums may differ by under a krona per project.
    projects = int(frames["projects"]["project_id"].nunique())
    return {
        "available": True,
        "seconds": round(duck_seconds, 4),
        "python_ledger_seconds": round(python_seconds, 4),
        "ratio_python_to_duckdb": round(python_seconds / duck_seconds, 2) if duck_seconds else None,
        "threads": threads,
        "repeats": f"best of {REPEATS} after one warm-up, each side",
        "episodes": episodes,
        "result_rows": len(result),
        "agrees": worst <= projects,
        "largest_difference_sek": worst,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(duckdb_ledger(Path(args.storage), args.year, args.threads), indent=2))


if __name__ == "__main__":
    main()
