from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never touch the developer's var/dagster_home or var/storage.
os.environ.setdefault("DAGSTER_HOME", str(Path(__file__).resolve().parent / ".dagster_home_unused"))

from pgcluster import Cluster, postgres_cluster  # noqa: E402

from samverkan.synth import SynthSpec, synthesise, write_inbox  # noqa: E402


def _restored_environment() -> Iterator[None]:
    before = dict(os.environ)
    yield
    if dict(os.environ) != before:
        os.environ.clear()
        os.environ.update(before)


# Each test, and each module with its module-scoped fixtures, leaves the environment as it found it: a variable
# left behind (a scenario's Great Expectations folder, say) would send a later test's results somewhere else.
_environment_per_test = pytest.fixture(autouse=True)(_restored_environment)
_environment_per_module = pytest.fixture(autouse=True, scope="module")(_restored_environment)


SMALL_SPEC = SynthSpec(forbund=2, first_year=2020, last_year=2024, participants_per_year=150, seed=7)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A running throwaway PostgreSQL 15 cluster (tests/pgcluster.py), one per test module."""
    with postgres_cluster() as running:
        yield running


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, clean synthetic inbox (2 förbund, 2020–2024)."""
    path = tmp_path_factory.mktemp("small_inbox")
    frames, errors = synthesise(SMALL_SPEC)
    write_inbox(frames, errors, path)
    return path


@pytest.fixture(scope="session")
def spoiled_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic inbox with the documented share of bad rows and its `_injected_errors.csv`."""
    path = tmp_path_factory.mktemp("spoiled")
    frames, errors = synthesise(SynthSpec(forbund=2, first_year=2020, last_year=2024, participants_per_year=300,
                                          seed=5, with_errors=True))
    write_inbox(frames, errors, path)
    return path


@pytest.fixture()
def pipeline_resources(tmp_path: Path):
    """Resources for materialising assets against a temporary storage and output folder."""

    def build(inbox: Path, **settings: object) -> dict[str, object]:
        from pipelines.io_manager import ParquetIOManager, PickleIOManager
        from pipelines.resources import SamverkanSettings

        return {
            "settings": SamverkanSettings(inbox_dir=str(inbox), out_dir=str(tmp_path / "out" / "{year}"), **settings),
            "io_manager": ParquetIOManager(base_dir=str(tmp_path / "storage")),
            "intermediate_io_manager": PickleIOManager(base_dir=str(tmp_path / "storage" / "intermediate")),
        }

    return build
