"""How long the ledger takes, and how much memory, for a national-scale cohort.

Generates typed frames directly (vectorised, as conform would return them) so
that only the ledger is measured: N participant episodes that exit in the
report year (3 % of them felregistrering), in projects spread over many förbund.

    .venv/bin/python benchmarks/ledger_scale.py --episodes 1000000 --stage all

``--stage ledger`` measures contributions + aggregation + present values;
``--stage mc`` measures the Monte Carlo (with the contributions it needs built
first, reported apart). Peak memory is the process's maximum resident set
(``ru_maxrss``); run one stage per process to get each stage's own peak.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from samverkan.ledger.catalogue import load_catalogue
from samverkan.ledger.parameters import load_parameters
from samverkan.ledger.results import ledger_results
from samverkan.ledger.trace import ledger_contributions
from samverkan.ledger.uncertainty import ledger_uncertainty
from samverkan.synth import SUPPORT_BEFORE

YEAR = 2024


def traced_peak_mb(function, *args) -> float:
    """Peak memory allocated while ``function`` runs (Python and numpy allocations, via tracemalloc)."""
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n: int, forbund: int, projects_per_forbund: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_projects = forbund * projects_per_forbund
    project_ids = np.array([f"SF{f:03d}-P{p:03d}" for f in range(forbund) for p in range(projects_per_forbund)])
    projects = pd.DataFrame({"project_id": project_ids,
                             "forbund": np.repeat([f"Samordningsförbundet {f:03d}" for f in range(forbund)],
                                                  projects_per_forbund),
                             # The columns the success rules' verdict reads (every project runs since 2022).
                             "name": project_ids,
                             "start_date": pd.Series(np.datetime64("2022-01-01"), index=range(n_projects))
                             .astype("datetime64[s]"),
                             "end_date": pd.Series(pd.NaT, index=range(n_projects), dtype="datetime64[s]"),
                             "orientation": "individinriktad",
                             "target_group": "",
                             "target_share_work_or_studies": pd.array(np.full(n_projects, 0.3), dtype="Float64")})
    codes = np.array([s for s, _ in SUPPORT_BEFORE])
    weights = np.array([w for _, w in SUPPORT_BEFORE])
    before = codes[rng.choice(len(codes), size=n, p=weights / weights.sum())]
    reason = rng.choice(["arbete", "studier", "arbetssokande", "annan_insats", "sjukdom", "avbrott",
                         "felregistrering"], size=n, p=[0.3, 0.08, 0.25, 0.12, 0.1, 0.12, 0.03])
    occ_after = np.select([reason == "arbete", reason == "studier", np.isin(reason, ["arbetssokande", "avbrott"])],
                          ["arbete", "studier", "arbetssokande"], default="ovrigt")
    after = np.select([occ_after == "arbete", occ_after == "studier", occ_after == "arbetssokande"],
                      [np.where(rng.random(n) < 0.2, "lon:50|forsorjningsstod", "lon"), "studiemedel",
                       "aktivitetsstod"], default=before)
    after = np.where(rng.random(n) < 0.05, "", after)  # some exports lack support_after
    exited = np.datetime64(f"{YEAR}-01-01") + rng.integers(0, 366, size=n).astype("timedelta64[D]")
    files = np.array([f"participants_{i}.csv" for i in range(20)])
    participants = pd.DataFrame({
        "participant_id": pd.Series(np.char.add("P-", np.arange(n).astype(str)), dtype="str"),
        "project_id": pd.Series(project_ids[rng.integers(0, n_projects, size=n)], dtype="str"),
        "exited_on": exited.astype("datetime64[s]"),
        "support_before": pd.Series(before, dtype="str"),
        "support_after": pd.Series(after, dtype="str").replace("", np.nan),
        "occupation_before": pd.Series(rng.choice(["arbetssokande", "ovrigt"], size=n, p=[0.7, 0.3]), dtype="str"),
        "occupation_after": pd.Series(occ_after, dtype="str"),
        "exit_reason": pd.Series(reason, dtype="str"),
        "occupation_12m": pd.Series(np.where(rng.random(n) < 0.3, occ_after, ""), dtype="str").replace("", np.nan),
        "source_file": pd.Series(files[rng.integers(0, len(files), size=n)], dtype="str"),
        "source_row": rng.integers(2, 60000, size=n).astype("int64"),
    })
    # Drawn after the columns above, so those stay what they were for a seed. Enrolment in the year before exit.
    participants["enrolled_on"] = (exited - 365).astype("datetime64[s]")
    participants["birth_year"] = pd.array(rng.integers(1960, 2006, size=n), dtype="Int64")
    participants["education_level"] = pd.Series(rng.choice(["forgymnasial", "gymnasial", "eftergymnasial", "okand"],
                                                           size=n, p=[0.3, 0.45, 0.15, 0.1]), dtype="str")
    participants["months_on_support_before"] = pd.array(rng.integers(0, 120, size=n), dtype="Int64")
    groups = np.array(["langtidsarbetslos", "langtidssjuk", "unga_vuxna", "nyanlanda", "ovrig"])
    projects["target_group_code"] = pd.Series(groups[rng.integers(0, len(groups), size=n_projects)], dtype="str")
    per_project = rng.integers(1, 5, size=n_projects)
    cost_project = np.repeat(project_ids, per_project)
    financier = rng.choice(["samordningsforbund", "af", "fk", "kommun", "region", "esf"], size=len(cost_project),
                           p=[0.55, 0.09, 0.09, 0.09, 0.09, 0.09])
    costs = pd.DataFrame({
        "project_id": cost_project,
        "year": pd.array(np.full(len(cost_project), YEAR), dtype="Int64"),
        "financier": financier,
        "amount_sek": pd.array(np.round(rng.uniform(1e5, 3e6, size=len(cost_project)), -3), dtype="Float64"),
        "in_kind": pd.array(financier != "samordningsforbund", dtype="boolean"),
        "source_file": "project_costs.csv",
        "source_row": np.arange(2, len(cost_project) + 2, dtype="int64"),
    })
    return {"projects": projects, "participants": participants, "project_costs": costs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--forbund", type=int, default=80)
    parser.add_argument("--projects-per-forbund", type=int, default=15)
    parser.add_argument("--stage", choices=["all", "ledger", "mc"], default="all")
    parser.add_argument("--draws", type=int, default=0, help="Monte Carlo draws (0 = the parameters file's)")
    parser.add_argument("--trace-memory", action="store_true",
                        help="run each stage once more under tracemalloc and report its own peak allocation")
    args = parser.parse_args()

    t = time.perf_counter()
    data = generate(args.episodes, args.forbund, args.projects_per_forbund, seed=1)
    print(f"generated {args.episodes} episodes, {len(data['projects'])} projects, "
          f"{len(data['project_costs'])} cost rows in {time.perf_counter() - t:.1f} s; "
          f"peak RSS so far {peak_mb():.0f} MB")
    catalogue = load_catalogue(YEAR)
    parameters = load_parameters()
    if args.draws:
        from dataclasses import replace
        parameters = replace(parameters, mc_draws=args.draws)
    base = peak_mb()

    t = time.perf_counter()
    contributions = ledger_contributions(data["participants"], data["projects"], data["project_costs"], YEAR,
                                         catalogue, parameters)
    t_contrib = time.perf_counter() - t
    t = time.perf_counter()
    results = ledger_results(contributions.frame, parameters)
    t_results = time.perf_counter() - t
    print(f"ledger: contributions {t_contrib:.2f} s ({len(contributions.frame)} rows, "
          f"{contributions.frame.memory_usage(deep=True).sum() / 2**20:.0f} MB), "
          f"aggregation + present values + transfers {t_results:.2f} s ({len(results.table)} ledger rows); "
          f"total {t_contrib + t_results:.2f} s; peak RSS {peak_mb():.0f} MB (before the ledger {base:.0f} MB)")
    if args.trace_memory:
        def whole_ledger() -> None:
            made = ledger_contributions(data["participants"], data["projects"], data["project_costs"], YEAR,
                                        catalogue, parameters)
            ledger_results(made.frame, parameters)

        print(f"ledger: peak allocation while it runs {traced_peak_mb(whole_ledger):.0f} MB (tracemalloc)")
    if args.stage in ("all", "mc"):
        before_mc = peak_mb()
        t = time.perf_counter()
        table = ledger_uncertainty(contributions.effects, contributions.frame, catalogue, parameters)
        print(f"monte carlo: {parameters.mc_draws} draws over {len(table)} rows in {time.perf_counter() - t:.2f} s; "
              f"peak RSS {peak_mb():.0f} MB (before {before_mc:.0f} MB)")
        if args.trace_memory:
            peak = traced_peak_mb(ledger_uncertainty, contributions.effects, contributions.frame, catalogue, parameters)
            print(f"monte carlo: peak allocation while it runs {peak:.0f} MB (tracemalloc)")


if __name__ == "__main__":
    main()
