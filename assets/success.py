"""Success levels per project and the 12-prerequisite profiles, as of 31 December of the partition year."""

import warnings

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MetadataValue,
    Output,
    asset,
)

from pipelines.metadata import failure, gated, gated_errors, markdown_table
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan.files import write_csv_atomic
from samverkan.ledger.parameters import load_parameters
from samverkan.ledger.results import member_effects
from samverkan.prerequisites import prerequisite_profiles as compute_profiles
from samverkan.prerequisites import profile_summary
from samverkan.privacy import last_gate
from samverkan.success import (
    SUCCESS_COLUMNS,
    RulesError,
    classify,
    level_counts,
    level_problems,
    load_rules,
)

ONE_LEVEL_CHECK = "one_level_per_project"
# Partitioned like its asset: without it the year's planned execution is never resolved (a second,
# unpartitioned record holds the result) and the UI shows the check as still running. Preview in 1.13.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ONE_LEVEL_SPEC = AssetCheckSpec(ONE_LEVEL_CHECK, asset="success_levels", partitions_def=yearly_partitions,
                                    description="Varje bedömd insats har exakt en nivå (0, skenbar, 1, 2, 3) och skäl.")


@asset(
    partitions_def=yearly_partitions,
    group_name="success",
    check_specs=[ONE_LEVEL_SPEC],
    deps=["data_gate"],
)
@gated_errors
def success_levels(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    projects: pd.DataFrame,
    participants: pd.DataFrame,
    project_events: pd.DataFrame,
    ledger_contributions: pd.DataFrame,
):
    """Exactly one success level per project (0, skenbar, 1, 2, 3) with Swedish reasons, from the rules file
    and p0 from the ledger's parameters file; the members' effects from ledger_contributions flag cost shifting.

    Writes success.csv (forbund, project_id, year, level, label, reasons, the attributable successes, whether
    the participant effect is established and why not, the cost-shifting flag and the members' effects) and
    success_rules.csv (every rule, its value and basis, the rules version). The
    stored frame also holds the rules version and the evidence behind each
    level (counts, shares, interval, criteria) for the report.
    """
    year = int(context.partition_key)
    try:
        rules = load_rules(settings.rules_file or None, settings.parameters_file or None)
        parameters = load_parameters(settings.parameters_file or None)
    except (RulesError, OSError, ValueError) as exc:
        raise failure(description=str(exc)) from None
    success = classify(projects, participants, project_events, year, rules,
                       member_effects(ledger_contributions, parameters))
    out = settings.out_path(year)
    path = write_csv_atomic(success[SUCCESS_COLUMNS], out / "success.csv")
    rules_path = write_csv_atomic(rules.parameters(), out / "success_rules.csv")
    counts = level_counts(success)
    table = markdown_table(["nivå", "benämning", "insatser"],
                           ((r.level, r.label, r.projects) for r in counts.itertuples()), right=(2,))
    problems = level_problems(success, projects, year, rules)
    yield Output(
        success,
        metadata=gated({
            "extract": str(path),
            "rules_extract": str(rules_path),
            "rules_version": rules.version,
            "rules_file": rules.source,
            "projects": len(success),
            "cost_shifting": int(success["cost_shifting"].sum()),
            "participant_effect_established": int(success["participant_effect_established"].sum()),
            "levels": MetadataValue.md(
                f"Regler version **{rules.version}** (kontrafaktiskt utfall p0 {rules.reference:.0%}, minst "
                f"{rules.min_exits} avslut).\n\n{table}"
            ),
        }),
    )
    yield AssetCheckResult(
        check_name=ONE_LEVEL_CHECK,
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        metadata=gated({"projects": len(success), "problems": MetadataValue.json(problems)}),
        description=last_gate("; ".join(problems) or f"{len(success)} insatser, en nivå var."),
    )


@asset(partitions_def=yearly_partitions, group_name="success", deps=["data_gate"])
@gated_errors
def prerequisite_profiles(
    context: AssetExecutionContext,
    settings: SamverkanSettings,
    projects: pd.DataFrame,
    project_assessments: pd.DataFrame,
) -> pd.DataFrame:
    """The 12 prerequisites for lasting collaboration, scored 0-3 per project for the year: a profile, not a level.

    Writes prerequisites.csv (forbund, project_id, year, criterion, name, score,
    comment); projects without an assessment for the year are left out.
    """
    year = int(context.partition_key)
    profiles = compute_profiles(project_assessments, projects, year)
    path = write_csv_atomic(profiles, settings.out_path(year) / "prerequisites.csv")
    summary = profile_summary(profiles)
    table = markdown_table(
        ["nr", "förutsättning", "bedömda insatser", "medelpoäng (0–3)"],
        ((r.criterion, r.name, r.projects_scored,
          "" if pd.isna(r.mean_score) else f"{r.mean_score:.2f}".replace(".", ","))
         for r in summary.itertuples()),
        right=(2, 3),
    )
    context.add_output_metadata(gated(
        {
            "extract": str(path),
            "projects_assessed": int(profiles["project_id"].nunique()),
            "profile": MetadataValue.md(table),
        }
    ))
    return profiles
