"""The run's last step: its staging folder, complete, becomes the year's published folder (samverkan/publish.py)."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines.metadata import gated, gated_errors, links
from pipelines.partitions import yearly_partitions
from pipelines.resources import SamverkanSettings
from samverkan.manifest import file_hashes, read_manifest, record
from samverkan.publish import publish


def run_scope(settings: SamverkanSettings) -> list[str] | None:
    """The förbund a limited run is for, None for all. The hook for the settings' ``forbund`` filter: a run with
    a scope replaces only those förbund's files and the manifest says so."""
    names = getattr(settings, "forbund", None)
    return sorted(names) if names else None


@asset(partitions_def=yearly_partitions, group_name="report", deps=["samverkansbokslut_reports", "plan_forecasts"])
@gated_errors
def published_outputs(context: AssetExecutionContext, settings: SamverkanSettings) -> MaterializeResult:
    """The year's output folder, published whole: the run wrote into `<år>.korning-<run id>` and this step moves
    it into place with its `run.json` (run id, inbox fingerprint, parameter versions, scope, every file with its
    SHA-256). Files of earlier runs it did not write go to `_tidigare/`; an adopted year gets a new version. A run
    limited to some förbund replaces only their reports and is added to `run.json`'s `limited_runs`."""
    year = int(context.partition_key)
    staging, published = settings.out_path(year), settings.published_path(year)
    scope = run_scope(settings)
    if staging == published:  # a run of loose assets wrote straight into the folder: only say so
        record(published, run_id=context.run_id, status="klar", scope=scope or "alla",
               files=file_hashes(published))
        return MaterializeResult(metadata=gated({"folder": str(published), "staged": False}))
    # Whether every step ran is decided by the run that started the folder: a re-execution of a failed run
    # completes what its root began.
    complete = (read_manifest(staging) or {}).get("steps") == "alla"
    result = publish(staging, published, context.run_id, scope=scope, complete=complete)
    differences = "\n".join(f"- {line}" for line in result.differences)
    return MaterializeResult(metadata=gated({
        "version": result.version,
        **links(output_folder=result.folder),
        "staged": True,
        "moved_aside": MetadataValue.json(result.moved_aside),
        "carried_over": len(result.carried),
        "written": len(result.written),
        "scope": ", ".join(scope) if scope else "alla",
        "summary": MetadataValue.md(
            f"Publicerad som version {result.version} i {result.folder.name}."
            + (f" {len(result.moved_aside)} filer från tidigare körningar flyttade till _tidigare/."
               if result.moved_aside else "")
            + (f" Begränsad till {', '.join(scope)}: {len(result.written)} filer skrivna, de andra behållna "
               "(run.json: limited_runs, eller scope)." if scope else "")
            + (f"\n\nSkillnader mot den fastställda versionen:\n\n{differences}\n" if differences else "")),
    }))
