"""The run's parameters, rules and catalogue files, checked by the steps that read them and by the steps a run
starts with (the ingest): from the UI a bad file fails the run's first steps with the lines `samverkan run`
prints before it starts, before anything of the year is materialised."""

from pipelines.metadata import failure
from pipelines.resources import SamverkanSettings
from samverkan.run_files import validate_run_files


def require_valid_run_files(settings: SamverkanSettings, year: int) -> None:
    problems = validate_run_files(settings.parameters_file, settings.rules_file, settings.catalogue_file, year)
    if problems:
        raise failure(description="\n".join(problems))
