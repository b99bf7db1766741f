"""Offline checks of the Kubernetes deployment: what can be checked without a cluster, the chart or Docker.

Key paths and value types against the chart's schema, and the concurrency section,
are checked in tests/test_helm_values.py. Here: the database is external and names
the installed driver, the code location module and executor load, the Dockerfile
copies what the code reads, and the volumes, secrets and environment variables
agree with each other and with the code. See deploy/README.md for what remains
unchecked.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def test_database_is_external_and_names_the_installed_driver(values: dict) -> None:
    pg = values["postgresql"]
    assert pg["enabled"] is False and values["generatePostgresqlPasswordSecret"] is False
    assert pg["postgresqlPassword"] == "", "the password belongs in the secret, not in the values file"
    assert pg["postgresqlScheme"] == "postgresql+psycopg2"
    import psycopg2  # noqa: F401 - the driver the scheme names is installed with dagster-postgres

    from pipelines.instance import PG_SCHEME

    assert pg["postgresqlScheme"] == PG_SCHEME, "the local PostgreSQL instance names the same driver"


def test_volumes_env_and_secrets_agree(values: dict) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    for holder in (deployment, k8s):
        names = {v["name"] for v in holder["volumes"]}
        assert {m["name"] for m in holder["volumeMounts"]} <= names
        assert [v["persistentVolumeClaim"]["claimName"] for v in holder["volumes"]] == ["samverkan-data"]
        assert [m["mountPath"] for m in holder["volumeMounts"]] == ["/data"]
    assert all(isinstance(v, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*(=.*)?", v) for v in k8s["envVars"])
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
