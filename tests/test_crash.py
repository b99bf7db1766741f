"""Crash safety: SIGKILL a `samverkan run` in the middle of writing an output, re-run, compare.

A test-only ``sitecustomize`` (on PYTHONPATH, so every process of the run loads
it, including the executor's step processes) makes the chosen write pause after
its temporary file is complete but before the rename, and says so in a marker
file. The test then kills the whole process group with SIGKILL, as a power cut
or an OOM kill would, checks that the run really died mid-write (the temp file
is there, the target is not), re-runs the partition without the hook, and
compares every output, byte for byte, with an uninterrupted run.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from samverkan.synth import SynthSpec, synthesise, write_inbox

ROOT = Path(__file__).resolve().parents[1]
SAMVERKAN = Path(sys.executable).with_name("samverkan")
YEAR = "2024"

HOOK = '''
import os, time
_marker = os.environ.get("SAMVERKAN_CRASH_MARKER")
_target = os.environ.get("SAMVERKAN_CRASH_TARGET")
if _marker and _target:
    _replace = os.replace

    def _paused_replace(src, dst, *args, **kwargs):
        if str(dst).replace(os.sep, "/").endswith(_target) and str(src).endswith(".tmp"):
            with open(_marker, "w") as handle:
                handle.write(f"{src}\\n{dst}\\n")
            time.sleep(3600)
        return _replace(src, dst, *args, **kwargs)

    os.replace = _paused_replace
'''


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash_inbox")
    frames, errors = synthesise(SynthSpec(forbund=3, first_year=2019, last_year=2024,
                                          participants_per_year=300, seed=5))
    write_inbox(frames, errors, path)
    return path


def _env(base: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SAMVERKAN_")}
    env.update({
        "DAGSTER_HOME": str(base / "dagster_home"),
        "SAMVERKAN_STORAGE": str(base / "storage"),
        "SAMVERKAN_ALERTS_DIR": str(base / "alerts"),
        "SAMVERKAN_WORKERS": "2",
    })
    env.update(extra)
    return env


def _command(inbox: Path, base: Path) -> list[str]:
    return [str(SAMVERKAN), "run", "--inbox", str(inbox), "--year", YEAR, "--out", str(base / "out")]


def _run(inbox: Path, base: Path) -> None:
    done = subprocess.run(_command(inbox, base), cwd=ROOT, env=_env(base), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]


def _outputs(base: Path) -> dict[str, bytes]:
    files = {}
    for folder in ("out", "storage"):
        for path in sorted((base / folder).rglob("*")):
            # storage/intermediate holds the report steps' pickles, one folder per run id: scratch, not output.
            # run.json differs in the run id and its times (tests/test_outputs_run.py compares the rest).
            if path.is_file() and not path.is_relative_to(base / "storage" / "intermediate") \
                    and path.name != "run.json":
                files[str(path.relative_to(base))] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def uninterrupted(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    base = tmp_path_factory.mktemp("uninterrupted")
    _run(inbox, base)
    return _outputs(base)


@pytest.mark.slow
# An extract is written into the run's staging folder beside out/ (out.korning-<run id>/), published at the end.
@pytest.mark.parametrize("target", [f"storage/participants/{YEAR}.parquet", "participant_flow.csv"])
def test_sigkill_mid_write_then_rerun_gives_identical_outputs(
    inbox: Path, uninterrupted: dict[str, bytes], tmp_path: Path, target: str
) -> None:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOOK)
    marker = tmp_path / "paused"
    # The killed processes never clean up their temporary files (WeasyPrint's font folder among them): a short
    # TMPDIR of the run's own (the forkserver's AF_UNIX socket lives there too), removed with the test.
    scratch = tempfile.TemporaryDirectory(prefix="sv-")
    env = _env(tmp_path, PYTHONPATH=os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
               SAMVERKAN_CRASH_MARKER=str(marker), SAMVERKAN_CRASH_TARGET=target, TMPDIR=scratch.name)
    log = tmp_path / "run.log"  # a file, not a pipe: a full pipe would stall the run before the write
    process = subprocess.Popen(_command(inbox, tmp_path), cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() or marker.read_text().count("\n") != 2:
            assert process.poll() is None, f"körningen slutade innan skrivningen: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, "skrivningen av målfilen nåddes aldrig"
            time.sleep(0.1)
        tmp_file, target_file = (Path(line) for line in marker.read_text().splitlines())
    finally:
        # The whole group: the run, the forkserver and every step process, with no chance to clean up.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        scratch.cleanup()
    assert process.returncode == -signal.SIGKILL

    # Killed mid-write: the complete temp file is there, the real name was never half-written.
    assert tmp_file.exists() and tmp_file.stat().st_size > 0
    assert not target_file.exists()
    before = {name for name in _outputs(tmp_path) if not name.endswith(".tmp")}
    assert before < uninterrupted.keys(), "körningen hann bli klar innan den dödades"

    _run(inbox, tmp_path)
    after = _outputs(tmp_path)
    assert not [name for name in after if name.endswith(".tmp")]
    assert not list(tmp_path.rglob("*.tmp"))
    assert after.keys() == uninterrupted.keys()
    assert [name for name in after if after[name] != uninterrupted[name]] == []
    # The killed run's staging folder is left beside, marked by the run after it.
    assert all(json.loads((f / "run.json").read_text())["status"] == "avbruten" for f in tmp_path.glob("out.korning-*"))
