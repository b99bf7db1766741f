from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource


class SamverkanSettings(ConfigurableResource):
    """Where the inbox and outputs are, and which parameter files a run uses.

    Every field can be set per run (run config ``resources.settings.config``) so
    an evaluator can re-run a year with other files without editing anything.
    """

    # Defaults for `dagster dev` and schedules; `samverkan run` passes its own per run.
    inbox_dir: str = os.environ.get("SAMVERKAN_INBOX", "var/demo-inbox")
    out_dir: str = os.environ.get("SAMVERKAN_OUT", "out/{year}")
    # Unit-cost catalogue (CSV) and ledger parameters (YAML); empty means the packaged files in samverkan/data/.
    catalogue_file: str = ""
    parameters_file: str = ""
    # Success-level rules (YAML); empty means the packaged samverkan/data/success_rules.yaml.
    rules_file: str = ""
    # Great Expectations file context; results and Data Docs go under its uncommitted/. Empty = expectations/.
    expectations_dir: str = os.environ.get("SAMVERKAN_GX_DIR", "")
    # PDF variant of the samverkansbokslut: "pdf/ua-1" (tagged, accessible) or "pdf/a-3u" (archival, also tagged).
    pdf_variant: str = os.environ.get("SAMVERKAN_PDF_VARIANT", "pdf/ua-1")

    def inbox_path(self) -> Path:
        return Path(self.inbox_dir)

    def out_path(self, year: int) -> Path:
        return Path(self.out_dir.format(year=year))
