"""deploy/helm/values.yaml against the Dagster chart's schema, offline: every key path and value type it uses.

The facts below are transcribed from the public chart's helm/dagster/values.schema.json
in dagster-io/dagster at commit 2bdb239558bfe98dc2a89e2e0c2f3f849367fdd4 (the pydantic-2
"$defs" schema with the top-level `concurrency` section, as in chart 1.13.x). They are
key paths (``a.b``, ``[]`` for the items of a list) mapped to the JSON types the schema
allows there, for the sections the file uses; a section whose contents the chart hands to
Kubernetes or to Dagster unchecked (``additionalProperties: true``, a Kubernetes $ref) is in
OPEN and not walked into. A path not recorded here fails: either it is a typo, or its facts
must be added from the schema first. Helm merges the chart's defaults into maps but
replaces lists, so the required fields of list items are checked here too.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
SCHEMA_COMMIT = "2bdb239558bfe98dc2a89e2e0c2f3f849367fdd4"

OBJ, ARR, STR, INT, BOOL = "object", "array", "string", "integer", "boolean"
K8S_OBJ, K8S_OBJ_OR_NULL = "object", "object|null"  # Kubernetes objects: type checked, contents not


def _image(prefix: str, tag: str = "string|integer|null") -> dict[str, str]:
    """Image (the chart's own images) or ExternalImage; pullPolicy is an enum, see ENUMS."""
    return {prefix: OBJ, f"{prefix}.repository": STR, f"{prefix}.tag": tag,
            f"{prefix}.digest": "string|null", f"{prefix}.pullPolicy": STR}


def _pod(prefix: str, nullable: bool) -> dict[str, str]:
    """The pod-level fields Webserver, Daemon and UserDeployment share."""
    obj, arr = ("object|null", "array|null") if nullable else ("object", "array")
    return {f"{prefix}.{k}": obj for k in ("nodeSelector", "affinity", "podSecurityContext", "securityContext",
                                           "resources", "livenessProbe", "readinessProbe", "startupProbe",
                                           "annotations", "labels")} | {
        f"{prefix}.tolerations": arr, f"{prefix}.envConfigMaps": arr, f"{prefix}.envConfigMaps[]": K8S_OBJ,
        f"{prefix}.envSecrets": arr, f"{prefix}.envSecrets[]": K8S_OBJ,
        f"{prefix}.env": "object|array" + ("|null" if nullable else ""), f"{prefix}.env[]": K8S_OBJ,
        f"{prefix}.volumeMounts": "array|null", f"{prefix}.volumeMounts[]": K8S_OBJ,
        f"{prefix}.volumes": "array|null", f"{prefix}.volumes[]": K8S_OBJ,
        f"{prefix}.schedulerName": "string|null",
    }


_DEPLOYMENT = "dagster-user-deployments.deployments[]"
_K8S = "runLauncher.config.k8sRunLauncher"
_QRC = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator"

SCHEMA: dict[str, str] = {
    # DagsterHelmValues.properties (top level)
    **{name: OBJ for name in ("dagsterWebserver", "dagster-user-deployments", "postgresql", "rabbitmq", "redis",
                              "flower", "ingress", "computeLogManager", "scheduler", "runLauncher", "pythonLogs",
                              "dagsterDaemon", "busybox", "migrate", "telemetry", "ui", "serviceAccount",
                              "global", "retention", "concurrency")},
    "generatePostgresqlPasswordSecret": BOOL, "generateCeleryConfigSecret": BOOL, "imagePullSecrets": ARR,
    "additionalInstanceConfig": "object|null",
    # Global
    **{f"global.{k}": STR for k in ("postgresqlSecretName", "dagsterHome", "serviceAccountName",
                                    "celeryConfigSecretName", "dagsterInstanceConfigMap")},
    # PostgreSQL
    **_image("postgresql.image", tag=STR),
    "postgresql.enabled": BOOL, "postgresql.postgresqlHost": STR, "postgresql.postgresqlUsername": STR,
    "postgresql.postgresqlPassword": STR, "postgresql.postgresqlDatabase": STR, "postgresql.postgresqlParams": OBJ,
    "postgresql.postgresqlScheme": "string|null", "postgresql.service": OBJ, "postgresql.service.port": INT,
    # Webserver (additionalProperties: false)
    **_image("dagsterWebserver.image"), **_pod("dagsterWebserver", nullable=False),
    "dagsterWebserver.replicaCount": INT, "dagsterWebserver.nameOverride": STR,
    "dagsterWebserver.pathPrefix": "string|null", "dagsterWebserver.service": OBJ,
    "dagsterWebserver.workspace": OBJ, "dagsterWebserver.deploymentLabels": OBJ,
    "dagsterWebserver.checkDbReadyInitContainer": "boolean|null", "dagsterWebserver.enableReadOnly": BOOL,
    "dagsterWebserver.dbStatementTimeout": "integer|null", "dagsterWebserver.dbPoolRecycle": "integer|null",
    "dagsterWebserver.dbPoolMaxOverflow": "integer|null", "dagsterWebserver.logLevel": "string|null",
    "dagsterWebserver.logFormat": "string|null", "dagsterWebserver.initContainerResources": "object|null",
    "dagsterWebserver.extraContainers": "array|null", "dagsterWebserver.extraPrependedInitContainers": "array|null",
    # UserDeployments and UserDeployment
    "dagster-user-deployments.enabled": BOOL, "dagster-user-deployments.enableSubchart": BOOL,
    "dagster-user-deployments.imagePullSecrets": ARR, "dagster-user-deployments.deployments": ARR,
    _DEPLOYMENT: OBJ, **_image(f"{_DEPLOYMENT}.image"), **_pod(_DEPLOYMENT, nullable=True),
    f"{_DEPLOYMENT}.name": STR, f"{_DEPLOYMENT}.port": INT, f"{_DEPLOYMENT}.replicaCount": INT,
    f"{_DEPLOYMENT}.dagsterApiGrpcArgs": "array|null", f"{_DEPLOYMENT}.dagsterApiGrpcArgs[]": STR,
    f"{_DEPLOYMENT}.codeServerArgs": "array|null", f"{_DEPLOYMENT}.codeServerArgs[]": STR,
    f"{_DEPLOYMENT}.includeConfigInLaunchedRuns": "object|null",
    f"{_DEPLOYMENT}.includeConfigInLaunchedRuns.enabled": BOOL,
    f"{_DEPLOYMENT}.deploymentNamespace": "string|null", f"{_DEPLOYMENT}.initContainers": "array|null",
    f"{_DEPLOYMENT}.sidecarContainers": "array|null", f"{_DEPLOYMENT}.deploymentStrategy": "object|null",
    # RunLauncher, RunLauncherConfig, K8sRunLauncherConfig (additionalProperties: false)
    "runLauncher.type": STR, "runLauncher.config": OBJ, _K8S: "object|null",
    "runLauncher.config.celeryK8sRunLauncher": "object|null", "runLauncher.config.customRunLauncher": "object|null",
    f"{_K8S}.image": "object|null", f"{_K8S}.imagePullPolicy": STR, f"{_K8S}.jobNamespace": "string|null",
    f"{_K8S}.loadInclusterConfig": BOOL, f"{_K8S}.kubeconfigFile": "string|null",
    f"{_K8S}.envConfigMaps": ARR, f"{_K8S}.envConfigMaps[]": K8S_OBJ, f"{_K8S}.envSecrets": ARR,
    f"{_K8S}.envSecrets[]": K8S_OBJ, f"{_K8S}.envVars": ARR, f"{_K8S}.envVars[]": STR,
    f"{_K8S}.volumeMounts": ARR, f"{_K8S}.volumeMounts[]": K8S_OBJ, f"{_K8S}.volumes": ARR,
    f"{_K8S}.volumes[]": K8S_OBJ, f"{_K8S}.labels": "object|null", f"{_K8S}.failPodOnRunFailure": "boolean|null",
    f"{_K8S}.resources": K8S_OBJ_OR_NULL, f"{_K8S}.schedulerName": "string|null",
    f"{_K8S}.securityContext": K8S_OBJ_OR_NULL, f"{_K8S}.runK8sConfig": "object|null",
    # RunK8sConfig (additionalProperties: false; each field a free-form object)
    **{f"{_K8S}.runK8sConfig.{k}": "object|null" for k in ("containerConfig", "podSpecConfig",
                                                           "podTemplateSpecMetadata", "jobSpecConfig",
                                                           "jobMetadata")},
    # Daemon (additionalProperties: false)
    **_image("dagsterDaemon.image"), **_pod("dagsterDaemon", nullable=False),
    "dagsterDaemon.enabled": BOOL, "dagsterDaemon.heartbeatTolerance": INT, "dagsterDaemon.deploymentLabels": OBJ,
    "dagsterDaemon.checkDbReadyInitContainer": "boolean|null", "dagsterDaemon.runMonitoring": OBJ,
    "dagsterDaemon.logFormat": "string|null", "dagsterDaemon.initContainerResources": "object|null",
    "dagsterDaemon.extraContainers": "array|null", "dagsterDaemon.extraPrependedInitContainers": "array|null",
    "dagsterDaemon.runCoordinator": OBJ, "dagsterDaemon.runCoordinator.enabled": BOOL,
    "dagsterDaemon.runCoordinator.type": STR, "dagsterDaemon.runCoordinator.config": OBJ,
    _QRC: "object|null", "dagsterDaemon.runCoordinator.config.customRunCoordinator": "object|null",
    f"{_QRC}.maxConcurrentRuns": "integer|object|null", f"{_QRC}.tagConcurrencyLimits": "array|null",
    f"{_QRC}.dequeueIntervalSeconds": "integer|object|null", f"{_QRC}.dequeueNumWorkers": "integer|object|null",
    f"{_QRC}.dequeueUseThreads": "boolean|null", f"{_QRC}.blockOpConcurrencyLimitedRuns": "object|null",
    "dagsterDaemon.runRetries": OBJ, "dagsterDaemon.runRetries.enabled": BOOL,
    "dagsterDaemon.runRetries.maxRetries": "integer|null",
    "dagsterDaemon.runRetries.retryOnAssetOrOpFailure": "boolean|null",
    **{f"dagsterDaemon.{d}": OBJ for d in ("sensors", "schedules")}, "dagsterDaemon.backfills": "object|null",
    **{f"dagsterDaemon.{d}.{k}": t for d in ("sensors", "schedules", "backfills")
       for k, t in (("useThreads", BOOL), ("numWorkers", "integer|null"), ("numSubmitWorkers", "integer|null"))},
    # Concurrency, ConcurrencyPools, ConcurrencyRuns, concurrency TagConcurrencyLimit (all additionalProperties: false)
    "concurrency.enabled": BOOL, "concurrency.pools": OBJ, "concurrency.pools.defaultLimit": "integer|null",
    "concurrency.pools.granularity": "string|null", "concurrency.pools.opGranularityRunBuffer": "integer|null",
    "concurrency.runs": OBJ, "concurrency.runs.maxConcurrentRuns": "integer|null",
    "concurrency.runs.tagConcurrencyLimits": ARR, "concurrency.runs.tagConcurrencyLimits[]": OBJ,
    "concurrency.runs.tagConcurrencyLimits[].key": STR,
    "concurrency.runs.tagConcurrencyLimits[].value": "string|object|null",
    "concurrency.runs.tagConcurrencyLimits[].limit": INT,
    # Telemetry
    "telemetry.enabled": BOOL,
}
# Free-form or Kubernetes objects: the chart passes their contents on without a schema of its own.
OPEN = {path for path in SCHEMA if path.rsplit(".", 1)[-1] in {
    "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext", "resources",
    "livenessProbe", "readinessProbe", "startupProbe", "annotations", "labels", "deploymentLabels",
    "postgresqlParams", "runMonitoring", "containerConfig", "podSpecConfig", "podTemplateSpecMetadata",
    "jobSpecConfig", "jobMetadata", "additionalInstanceConfig", "deploymentStrategy", "initContainerResources",
    "customRunLauncher", "customRunCoordinator", "value"}} | {path for path in SCHEMA if path.endswith(
        ("env[]", "envConfigMaps[]", "envSecrets[]", "volumeMounts[]", "volumes[]"))}
ENUMS = {
    "runLauncher.type": {"CeleryK8sRunLauncher", "K8sRunLauncher", "CustomRunLauncher"},
    "dagsterDaemon.runCoordinator.type": {"QueuedRunCoordinator", "CustomRunCoordinator"},
    f"{_K8S}.imagePullPolicy": {"Always", "IfNotPresent", "Never"},
    f"{_DEPLOYMENT}.image.pullPolicy": {"Always", "IfNotPresent", "Never"},
}
# Required fields of list items (lists replace the chart's defaults instead of merging with them).
REQUIRED = {_DEPLOYMENT: {"name", "image", "port"}, f"{_DEPLOYMENT}.image": {"repository", "pullPolicy"},
            "concurrency.runs.tagConcurrencyLimits[]": {"key", "limit"}}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return STR
    return ARR if isinstance(value, list) else OBJ


def problems(value: Any, path: str = "") -> list[str]:
    """Every key path under ``value`` the recorded schema does not have, or has with another type."""
    found: list[str] = []
    if path:
        if path not in SCHEMA:
            return [f"{path}: finns inte i diagrammets schema"]
        kind = json_type(value)
        if kind not in SCHEMA[path].split("|"):
            return [f"{path}: {kind}, schemat tillåter {SCHEMA[path]}"]
        if path in ENUMS and value not in ENUMS[path]:
            found.append(f"{path}: {value!r} är inte ett av {sorted(ENUMS[path])}")
        if path in OPEN:
            return found
    if isinstance(value, dict):
        found += [f"{path}.{name}: saknas" for name in sorted(REQUIRED.get(path, set()) - set(value))]
        for key, child in value.items():
            found += problems(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            found += problems(item, f"{path}[]")
    return found


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def test_every_key_path_and_type_is_in_the_chart_schema(values: dict) -> None:
    assert problems(values) == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda v: v["dagsterDaemon"].update(heartbeatTolerence=1800),
     "dagsterDaemon.heartbeatTolerence: finns inte i diagrammets schema"),
    (lambda v: v["concurrency"]["pools"].update(defaultLimit="4"),
     "concurrency.pools.defaultLimit: string, schemat tillåter integer|null"),
    (lambda v: v.update(additionalInstanceConfig=[]),
     "additionalInstanceConfig: array, schemat tillåter object|null"),
    (lambda v: v["runLauncher"].update(type="K8sLauncher"), "runLauncher.type: 'K8sLauncher' är inte ett av"),
    (lambda v: v["dagster-user-deployments"]["deployments"][0].pop("port"),
     "dagster-user-deployments.deployments[].port: saknas"),
    (lambda v: v["concurrency"]["runs"]["tagConcurrencyLimits"][0].update(limt=1),
     "concurrency.runs.tagConcurrencyLimits[].limt: finns inte"),
])
def test_the_walk_finds_a_wrong_key_type_value_or_missing_field(values: dict, edit, expected: str) -> None:
    changed = yaml.safe_load(yaml.safe_dump(values))
    edit(changed)
    assert any(p.startswith(expected) for p in problems(changed)), problems(changed)


def test_settings_the_chart_ignores_or_refuses_are_absent(values: dict) -> None:
    assert "additionalInstanceConfig" not in values, "pools and run limits belong in the chart's concurrency section"
    assert "runRetries" not in values["dagsterDaemon"], "maxRetries 0 is Dagster's default: the section did nothing"
    # The chart renders `concurrency` only when enabled, and fails when run limits are set in both places.
    assert values["concurrency"]["enabled"] is True
    queued = values["dagsterDaemon"]["runCoordinator"].get("config", {}).get("queuedRunCoordinator") or {}
    assert queued.get("maxConcurrentRuns") is None and not queued.get("tagConcurrencyLimits")


def _rendered(concurrency: dict) -> dict:
    """The instance's `concurrency:` as the chart's _concurrency.tpl writes it (camelCase to Dagster's names)."""
    pools, runs = concurrency["pools"], concurrency["runs"]
    return {"pools": {"default_limit": pools["defaultLimit"], "granularity": pools["granularity"]},
            "runs": {"max_concurrent_runs": runs["maxConcurrentRuns"],
                     "tag_concurrency_limits": runs["tagConcurrencyLimits"]}}


def test_the_rendered_concurrency_is_valid_for_this_dagster_and_matches_the_local_instance(values: dict) -> None:
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema, validate_concurrency_config

    from pipelines.jobs import DEFAULT_RENDER_SLOTS

    rendered = {"concurrency": _rendered(values["concurrency"])}
    result = validate_config(dagster_instance_config_schema(), rendered)
    assert result.success, result.errors
    validate_concurrency_config(rendered)  # raises on a conflicting or out-of-range pool setting
    local = yaml.safe_load((ROOT / "dagster.yaml").read_text(encoding="utf-8"))["concurrency"]
    assert rendered["concurrency"]["pools"] == local["pools"]
    assert rendered["concurrency"]["pools"]["default_limit"] == DEFAULT_RENDER_SLOTS
    assert rendered["concurrency"]["runs"]["tag_concurrency_limits"] == local["runs"]["tag_concurrency_limits"]
    assert rendered["concurrency"]["runs"]["tag_concurrency_limits"] == [
        {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
