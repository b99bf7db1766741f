from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource, EnvVar, InitResourceContext

from pipelines.run_lock import claim


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
    # PDF variant of the samverkansbokslut: "pdf/ua-1" (tagged, accessible) or "pdf/a-3u" (archival, also tagged).
    pdf_variant: str = "pdf/ua-1"
    # The förbund a run is limited to (empty: every förbund) and the national reference its benchmarks read
    # (empty: <inbox>/national_reference.csv if there is one); `samverkan run --forbund` sets both (pipelines/scope.py).
    forbund: list[str] = []
    national_reference: str = ""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # Every step that reads the settings first holds its run's year (and scenario), or stops: two runs of one
        # year on one instance must never write the same outputs (pipelines/run_lock.py).
        if context.instance is not None and context.run_id:
            claim(context.instance, context.run_id)

    def inbox_path(self) -> Path:
        return Path(self.inbox_dir)

    def out_path(self, year: int) -> Path:
        return Path(self.out_dir.format(year=year))


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
