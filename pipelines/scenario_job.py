"""``scenario_run``: a scenario launched from the UI's launchpad, run in the scenario's own instance.

The op (``run_scenario_year``) is the whole job: it checks the launchpad's values (one Swedish line each,
before anything runs) and then runs the year as the scenario through ``pipelines.scenarios.run_scenario``.
The official instance records only this launcher run, never a materialisation; the scenario's own runs are in
its instance (``$DAGSTER_HOME/scenarios/NAME``, which ``dagster dev`` can open with that folder as its DAGSTER_HOME).

No ``from __future__ import annotations`` here: Dagster reads the op's config class from its real annotation.
"""


from dagster import (
    Config,
    Failure,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    in_process_executor,
    job,
    op,
)
from pydantic import Field

from pipelines.partitions import yearly_partitions
from pipelines.preload import executor_name
from pipelines.resources import SamverkanSettings
from pipelines.run_lock import SCENARIO_TAG
from samverkan.ledger.parameters import TYPED_FIELDS, parameters_from_overrides
from samverkan.overrides import RunFileError
from samverkan.run_files import validate_run_files
from samverkan.scenario import NAME_MAX, ScenarioError, check_name


class ScenarioRunConfig(Config):
    """The launchpad's fields; an empty parameter field keeps the value of the file (or the shipped one)."""

    scenario: str = Field(description=f"Scenariots namn: högst {NAME_MAX} tecken a–z, 0–9 och bindestreck")
    year: int = Field(description="Året som körs, t.ex. 2024")
    discount_rate: float | None = Field(default=None, description="Diskonteringsränta, 0–0,2 (t.ex. 0.03)")
    horizon_years: int | None = Field(default=None, description="Tidshorisont i år, 1–40")
    counterfactual_share: float | None = Field(
        default=None, description="Andel som ändå hade fått arbete eller börjat studera (p0), 0–1")
    drop_off: float | None = Field(default=None, description="Avtagande effekt per år, 0–1")
    attribution: float | None = Field(default=None, description="Andel av effekten som tillskrivs insatsen, 0–1")
    parameters_file: str = Field(default="", description="Parameterfil (YAML), hel eller delvis; tom = standard")
    rules_file: str = Field(default="", description="Regelfil för framgångsnivåer (YAML); tom = standard")
    catalogue_file: str = Field(default="", description="Enhetskostnadskatalog (CSV); tom = standard")
    out_dir: str = Field(default="", description="Utmapp; tom = out/scenarios/NAMN/ÅR bredvid den officiella")


def _problems(config: ScenarioRunConfig) -> list[str]:
    """Every reason the launchpad's values cannot run, one Swedish line each."""
    problems = []
    try:
        check_name(config.scenario)
    except ScenarioError as exc:
        problems.append(str(exc))
    keys = yearly_partitions.get_partition_keys()
    if str(config.year) not in keys:
        problems.append(f"år {config.year} finns inte som partition; välj ett avslutat år {keys[0]}–{keys[-1]}")
    try:
        document = parameters_from_overrides(_overrides(config))
    except RunFileError as exc:
        return problems + exc.lines
    return problems + validate_run_files(config.parameters_file, config.rules_file, config.catalogue_file,
                                         config.year, document)


def _overrides(config: ScenarioRunConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in TYPED_FIELDS if getattr(config, name) is not None}


@op(name="run_scenario_year", out=Out(Nothing),
    description="Kör ett år som ett namngivet scenario i scenariots egen instans; det officiella året rörs inte.")
def run_scenario_year(context: OpExecutionContext, config: ScenarioRunConfig, settings: SamverkanSettings):
    problems = _problems(config)
    if problems:
        raise Failure(description="\n".join(problems))
    from pipelines.scenarios import run_scenario

    context.instance.add_run_tags(context.run_id, {SCENARIO_TAG: config.scenario})
    files = {name: getattr(config, name) for name in ("parameters_file", "rules_file", "catalogue_file")}
    chosen = {"expectations_dir": settings.expectations_dir or None, "pdf_variant": settings.pdf_variant}
    result = run_scenario(
        config.scenario, settings.inbox_path(), config.year, config.out_dir or None,
        official=context.instance, official_out=settings.out_dir, overrides=_overrides(config),
        # A Kubernetes step cannot reach the scenario's SQLite files in this pod: its steps then run here.
        in_process=executor_name() != "multiprocess", **files, **chosen)
    outcome = result.run
    metadata = {"scenario": config.scenario, "scenario_run_id": outcome.run_id,
                "instance": MetadataValue.path(str(result.home)), "out_dir": MetadataValue.path(str(outcome.out_dir))}
    if not outcome.success:
        raise Failure(description="\n".join(outcome.failures) or f"scenariot {config.scenario} misslyckades",
                      metadata=metadata)
    yield Output(None, metadata=metadata)


@job(name="scenario_run", executor_def=in_process_executor,
     description="Ett namngivet scenario (what if) för ett år: egna lagrade tillgångar, utdata, Data Docs och "
                 "körningar; det officiella året lämnas orört.")
def scenario_run_job() -> None:
    run_scenario_year()
