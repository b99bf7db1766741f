"""Offline checks of the Kubernetes deployment: what can be checked without a cluster, the chart or Docker.

The official chart is not reachable from here, so its values.schema.json cannot be
run. What is checked instead: every key used exists in the chart's schema at
the section where it is used (key names transcribed from dagster-io/dagster
helm/dagster/values.schema.json, the 1.x "dagsterWebserver" schema), required
fields of the sections we set are present, the instance config we add is valid
for the installed Dagster, the code location module and executor load, and the
volumes, secrets and environment variables agree with each other and with the
code. See deploy/README.md for what remains unchecked.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

# Allowed keys per section, from the chart's values.schema.json (definitions named in comments).
CHART_KEYS = {
    "": {"dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
         "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "imagePullSecrets",
         "computeLogManager", "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox", "migrate",
         "telemetry", "serviceAccount", "global", "retention", "additionalInstanceConfig"},
    "global": {"postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName"},
    "postgresql": {"image", "enabled", "postgresqlHost", "postgresqlUsername", "postgresqlPassword",
                   "postgresqlDatabase", "postgresqlParams", "postgresqlScheme", "service"},
    "dagster-user-deployments": {"enabled", "enableSubchart", "imagePullSecrets", "deployments"},
    # UserDeployment
    "deployment": {"name", "image", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns",
                   "deploymentNamespace", "port", "env", "envConfigMaps", "envSecrets", "annotations",
                   "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext", "resources",
                   "livenessProbe", "readinessProbe", "startupProbe", "labels", "volumeMounts", "volumes",
                   "schedulerName", "initContainers", "sidecarContainers"},
    "runLauncher": {"type", "config"},
    # K8sRunLauncherConfig (additionalProperties: false)
    "k8sRunLauncher": {"image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
                       "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
                       "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig"},
    "runK8sConfig": {"containerConfig", "podSpecConfig", "podTemplateSpecMetadata", "jobSpecConfig", "jobMetadata"},
    # Daemon (additionalProperties: false)
    "dagsterDaemon": {"enabled", "image", "runCoordinator", "heartbeatTolerance", "env", "envConfigMaps",
                      "envSecrets", "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations",
                      "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
                      "startupProbe", "annotations", "runMonitoring", "runRetries", "sensors", "schedules",
                      "schedulerName", "volumeMounts", "volumes", "initContainerResources"},
    "runCoordinator": {"enabled", "type", "config"},
    "queuedRunCoordinator": {"maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds",
                             "dequeueNumWorkers", "dequeueUseThreads", "blockOpConcurrencyLimitedRuns"},
    "tagConcurrencyLimit": {"key", "value", "limit"},
    "telemetry": {"enabled"},
}
K8S_LAUNCHER_REQUIRED = {"imagePullPolicy", "loadInclusterConfig", "envConfigMaps", "envSecrets", "envVars",
                         "volumeMounts", "volumes"}


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def _keys_ok(section: dict, allowed: str) -> list[str]:
    return sorted(set(section) - CHART_KEYS[allowed])


def test_every_key_exists_in_the_chart_schema(values: dict) -> None:
    assert _keys_ok(values, "") == []
    assert _keys_ok(values["global"], "global") == []
    assert _keys_ok(values["postgresql"], "postgresql") == []
    assert _keys_ok(values["dagster-user-deployments"], "dagster-user-deployments") == []
    for deployment in values["dagster-user-deployments"]["deployments"]:
        assert _keys_ok(deployment, "deployment") == []
        assert {"name", "image", "port"} <= set(deployment)
    launcher = values["runLauncher"]
    assert _keys_ok(launcher, "runLauncher") == [] and launcher["type"] == "K8sRunLauncher"
    k8s = launcher["config"]["k8sRunLauncher"]
    assert _keys_ok(k8s, "k8sRunLauncher") == []
    assert set(k8s) >= K8S_LAUNCHER_REQUIRED
    assert all(isinstance(v, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*(=.*)?", v) for v in k8s["envVars"])
    assert _keys_ok(k8s["runK8sConfig"], "runK8sConfig") == []
    daemon = values["dagsterDaemon"]
    assert _keys_ok(daemon, "dagsterDaemon") == [] and daemon["enabled"] is True
    coordinator = daemon["runCoordinator"]
    assert _keys_ok(coordinator, "runCoordinator") == [] and coordinator["type"] == "QueuedRunCoordinator"
    queued = coordinator["config"]["queuedRunCoordinator"]
    assert _keys_ok(queued, "queuedRunCoordinator") == []
    for limit in queued["tagConcurrencyLimits"]:
        assert _keys_ok(limit, "tagConcurrencyLimit") == [] and isinstance(limit["limit"], int)


def test_additional_instance_config_is_valid_for_this_dagster(values: dict) -> None:
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema, validate_concurrency_config

    extra = values["additionalInstanceConfig"]
    result = validate_config(dagster_instance_config_schema(), extra)
    assert result.success, result.errors
    validate_concurrency_config(extra)  # raises on a conflicting or out-of-range pool setting


def test_database_is_external_and_names_the_installed_driver(values: dict) -> None:
    pg = values["postgresql"]
    assert pg["enabled"] is False and values["generatePostgresqlPasswordSecret"] is False
    assert pg["postgresqlPassword"] == "", "the password belongs in the secret, not in the values file"
    assert pg["postgresqlScheme"] == "postgresql+psycopg2"
    import psycopg2  # noqa: F401 - the driver the scheme names is installed with dagster-postgres

    committed = yaml.safe_load((ROOT / "deploy/instance/postgres/dagster.yaml").read_text())
    assert committed["storage"]["postgres"]["postgres_db"]["scheme"] == pg["postgresqlScheme"]


def test_volumes_env_and_secrets_agree(values: dict) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    for holder in (deployment, k8s):
        names = {v["name"] for v in holder["volumes"]}
        assert {m["name"] for m in holder["volumeMounts"]} <= names
        assert [v["persistentVolumeClaim"]["claimName"] for v in holder["volumes"]] == ["samverkan-data"]
        assert [m["mountPath"] for m in holder["volumeMounts"]] == ["/data"]
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert env["SAMVERKAN_EXECUTOR"] == "k8s" and "SAMVERKAN_EXECUTOR=k8s" in k8s["envVars"]
    for name, value in env.items():
        if name in ("SAMVERKAN_INBOX", "SAMVERKAN_OUT", "SAMVERKAN_STORAGE", "SAMVERKAN_ALERTS_DIR",
                    "SAMVERKAN_GX_DIR"):
            assert value.startswith("/data/"), name
    assert "{year}" in env["SAMVERKAN_OUT"]
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("pipelines", "samverkan")
                     for p in (ROOT / folder).rglob("*.py"))
    unread = [name for name in env if f'"{name}"' not in code]
    assert unread == [], f"environment variables no code reads: {unread}"
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "pipelines.definitions"]


def test_code_location_loads_with_the_k8s_executor(monkeypatch) -> None:
    pytest.importorskip("dagster_k8s")
    from dagster_k8s import k8s_job_executor

    from pipelines.jobs import select_executor
    from pipelines.preload import executor_name

    monkeypatch.setenv("SAMVERKAN_EXECUTOR", "k8s")
    assert executor_name() == "k8s"
    executor = select_executor(executor_name())
    assert executor.name == "samverkan_k8s" and executor.executor_creation_fn is k8s_job_executor.executor_creation_fn
    assert select_executor("multiprocess").name == "samverkan_multiprocess"
    with pytest.raises(ValueError, match="okänt"):
        select_executor("celery")


def test_dockerfile_copies_what_the_code_location_needs() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    for folder in ("samverkan", "assets", "pipelines", "reports", "expectations"):
        assert f"COPY {folder} ./{folder}" in text
        assert (ROOT / folder).is_dir()
    assert '".[k8s]"' in text and "k8s = [" in (ROOT / "pyproject.toml").read_text()
    assert '"-m", "pipelines.definitions"' in text
    assert "USER 10001" in text


def test_render_slots_equal_the_pool_limit_everywhere(values: dict) -> None:
    """The executor's render limit and the pdf_render pool must agree, or renders sit in the pool's back-off."""
    from pipelines.jobs import DEFAULT_RENDER_SLOTS

    files = (ROOT / "dagster.yaml", ROOT / "deploy" / "instance" / "postgres" / "dagster.yaml")
    limits = [yaml.safe_load(f.read_text(encoding="utf-8"))["concurrency"]["pools"]["default_limit"] for f in files]
    limits.append(values["additionalInstanceConfig"]["concurrency"]["pools"]["default_limit"])
    assert limits == [DEFAULT_RENDER_SLOTS] * 3
