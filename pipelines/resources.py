from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource, DagsterRun, EnvVar, InitResourceContext
from pydantic import Field, PrivateAttr

from pipelines.run_lock import OFFICIAL, SCENARIO_TAG, claim
from samverkan.publish import ensure_staging
from samverkan.run_files import run_file_digests

# The job whose runs publish their outputs (pipelines/jobs.py) and its last step (assets/outputs.py).
PUBLISHING_JOB = "samverkansbokslut"
PUBLISH_STEP = "published_outputs"


def publishes(run: DagsterRun | None) -> bool:
    """Whether ``run`` ends by publishing: a run of the whole job, or of a selection that has the last step.
    Other runs (a few assets materialised from the UI, tests' ``materialize``) write into the folder itself."""
    if run is None or run.job_name != PUBLISHING_JOB:
        return False
    # An empty asset selection is no selection (execute_in_process records one).
    if run.asset_selection and not any(k.to_user_string() == PUBLISH_STEP for k in run.asset_selection):
        return False
    return run.step_keys_to_execute is None or PUBLISH_STEP in run.step_keys_to_execute


# The SHA-256 of the parameters, rules and catalogue files as the run's first step read them (JSON): a later
# run limited to some förbund must use the same files, and the file at the recorded path may have changed since.
RUN_FILES_TAG = "samverkan/run-files"


def record_run_files(instance, run: DagsterRun | None, settings: SamverkanSettings) -> None:
    """Tag the run with its files' digests, once (the first step to start)."""
    if run is None or RUN_FILES_TAG in run.tags:
        return
    digests = run_file_digests(settings.parameters_file or None, settings.rules_file or None,
                               settings.catalogue_file or None)
    instance.add_run_tags(run.run_id, {RUN_FILES_TAG: json.dumps(digests, sort_keys=True)})


def whole_run(run: DagsterRun) -> bool:
    """Every step of the job: no asset selection, and not a re-execution (which runs some steps again)."""
    return not run.asset_selection and (run.step_keys_to_execute is None or run.parent_run_id is None)


class SamverkanSettings(ConfigurableResource):
    """Where the inbox and outputs are, and which parameter files a run uses.

    Every field can be set per run (run config ``resources.settings.config``) so
    an evaluator can re-run a year with other files without editing anything.
    """

    # Defaults for `dagster dev` and schedules; `samverkan run` passes its own per run.
    inbox_dir: str = "var/demo-inbox"
    out_dir: str = "out/{year}"
    # Unit-cost catalogue (CSV) and ledger parameters (YAML); empty means the packaged files in samverkan/data/.
    catalogue_file: str = ""
    parameters_file: str = ""
    # Success-level rules (YAML); empty means the packaged samverkan/data/success_rules.yaml.
    rules_file: str = ""
    # Great Expectations file context; results and Data Docs go under its uncommitted/. Empty = expectations/.
    expectations_dir: str = ""
    # Import profile (YAML, samverkan.profile); empty means the inbox's profile.yaml if it has one, else none.
    profile_file: str = ""
    # PDF variant of the samverkansbokslut: "pdf/ua-1" (tagged, accessible) or "pdf/a-3u" (archival, also tagged).
    pdf_variant: str = "pdf/ua-1"
    # The förbund whose reports a run writes (empty: every förbund) and the national reference its benchmarks read
    # (empty: <inbox>/national_reference.csv if there is one); `samverkan run --forbund` sets both (pipelines/scope.py).
    # From the launchpad the filter limits the reports only, so its description says what it is not.
    forbund: list[str] = Field(default=[], description=(
        "Skriv rapporter bara för dessa förbund (namnen som i projects; tomt: alla förbund). Allt annat körs ändå "
        "för hela året och alla förbund: inläsning, validering, liggaren, Monte Carlo och framgångsnivåer. "
        "Körningen skriver ingen nationell referensfil, och publiceringen ersätter bara de namngivna förbundens "
        "rapportmappar och rader i reports.csv; årets utdrag lämnas som de var (run.json: limited_runs, eller "
        "scope). Det är inte "
        "samma sak som en avgränsad omkörning: den som bara räknar om några förbund på årets redan validerade "
        "data är kommandot samverkan run --forbund NAMN."))
    national_reference: str = ""
    # (run id, root run id, whole job?) of a run that publishes; its steps write into its staging folder.
    _staging: tuple[str, str, bool] | None = PrivateAttr(default=None)
    # The scenario the run is of ("" the official year), from the tag every scenario run carries (the command
    # line's, a limited run's and the launchpad's alike, pipelines/scenarios.py): run.json and the report say it.
    _scenario: str = PrivateAttr(default="")

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # Every step that reads the settings first holds its run's year (and scenario), or stops: two runs of one
        # year on one instance must never write the same outputs (pipelines/run_lock.py).
        if context.instance is not None and context.run_id:
            claim(context.instance, context.run_id)
            record_run_files(context.instance, context.dagster_run, self)
            run = context.dagster_run
            if run is not None and run.tags.get(SCENARIO_TAG, OFFICIAL) != OFFICIAL:
                self._scenario = run.tags[SCENARIO_TAG]
            if publishes(run):
                self._staging = (run.run_id, run.root_run_id or run.run_id, whole_run(run))

    def scenario_name(self) -> str:
        """The scenario this run is of; "" for the official year."""
        return self._scenario

    def inbox_path(self) -> Path:
        return Path(self.inbox_dir)

    def published_path(self, year: int) -> Path:
        """The year's published folder (version 1; later versions beside it, samverkan/publish.py)."""
        return Path(self.out_dir.format(year=year))

    def out_path(self, year: int) -> Path:
        """Where this run writes the year's outputs: its staging folder when the run publishes, else the
        published folder itself."""
        published = self.published_path(year)
        if self._staging is None:
            return published
        run_id, root, whole = self._staging
        return ensure_staging(published, run_id, root, year, "alla" if whole else "urval", self._scenario)


# Fields a deployment may set through its environment (deploy/helm/values.yaml, the Makefile's `dev`).
SETTINGS_FROM_ENVIRONMENT = {
    "inbox_dir": "SAMVERKAN_INBOX",
    "out_dir": "SAMVERKAN_OUT",
    "expectations_dir": "SAMVERKAN_GX_DIR",
    "pdf_variant": "SAMVERKAN_PDF_VARIANT",
}


def deployment_settings(environment: Mapping[str, str]) -> SamverkanSettings:
    """The code location's settings: a field whose variable ``environment`` has is an ``EnvVar``, which Dagster
    resolves when a run starts (and shows in the UI); the others keep their defaults. Run config overrides both.

    Only whether a variable is set is taken from ``environment``: an ``EnvVar`` of an unset variable would make
    every launch fail instead of falling back to the default."""
    return SamverkanSettings(**{field: EnvVar(name) for field, name in SETTINGS_FROM_ENVIRONMENT.items()
                                if environment.get(name)})
