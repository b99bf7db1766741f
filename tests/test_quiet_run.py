"""What `samverkan run` prints: at most 12 lines for a clean demo year, one line per failure for a failing one, and
Dagster's lines, tracebacks and library warnings only with --debug (pipelines/console.py)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipelines.console import Progress, progress_text, stderr_to

ROOT = Path(__file__).resolve().parents[1]
SAMVERKAN = Path(sys.executable).with_name("samverkan")
NOISE = ("DEBUG", "Traceback", "Stack Trace", " - dagster - ", "Warning", 'File "')


def test_what_is_started_inside_writes_no_stderr_and_the_console_is_back_afterwards(capfd) -> None:
    with stderr_to(os.devnull):
        subprocess.run([sys.executable, "-c", "import sys; print('ut'); print('fel', file=sys.stderr)"], check=True)
    subprocess.run([sys.executable, "-c", "import sys; print('efteråt', file=sys.stderr)"], check=True)
    out, err = capfd.readouterr()
    assert (out, err) == ("ut\n", "efteråt\n")


def test_library_warnings_and_unconfigured_loggers_stay_off_the_console() -> None:
    noisy = ("import logging, warnings\n"
             "warnings.warn('provvarning från ett bibliotek')\n"
             "logging.getLogger('weasyprint').warning('provrad från weasyprint')\n")
    loud = subprocess.run([sys.executable, "-c", noisy], capture_output=True, text=True, cwd=ROOT)
    assert "provvarning" in loud.stderr and "provrad" in loud.stderr  # what they print on their own
    quiet = subprocess.run([sys.executable, "-c", "from pipelines.console import quiet_libraries\n"
                            "quiet_libraries()\n" + noisy], capture_output=True, text=True, cwd=ROOT)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


RENDER = "samverkansbokslut_reports.render_forbund[{}]"


def test_the_progress_line_counts_finished_steps_and_the_renders() -> None:
    assert progress_text([]) == "körs: 0 steg klara"
    events = [("ingest_projects", "STEP_START"), ("ingest_projects", "STEP_SUCCESS"), ("data_gate", "STEP_START"),
              (RENDER.format("a"), "STEP_START"), (RENDER.format("b"), "STEP_START"),
              (RENDER.format("a"), "STEP_SUCCESS"), ("ledger", "STEP_START"), ("ledger", "STEP_FAILURE")]
    # Finished: ingest_projects, the render of a, ledger (a failure ends a step too); two renders begun.
    assert progress_text(events) == "körs: 3 steg klara; rapporter: 1 av 2 renderade"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_is_rewritten_in_place_on_a_terminal_and_erased_at_the_end() -> None:
    seen = [[("x", "STEP_START")], [("x", "STEP_SUCCESS")], [("x", "STEP_SUCCESS")]]
    screen = Terminal()
    # A long interval: the test drives the ticks itself, the thread never gets to one.
    with Progress(lambda: seen.pop(0), stream=screen, interval=3600) as progress:
        progress.tick()
        progress.tick()
        progress.tick()  # nothing new: nothing written
    assert screen.getvalue() == "\r\x1b[Kkörs: 0 steg klara\r\x1b[Kkörs: 1 steg klara\r\x1b[K"


def test_no_progress_line_where_output_is_not_a_terminal_or_with_debug() -> None:
    log = io.StringIO()
    with Progress(lambda: [("x", "STEP_SUCCESS")], stream=log, interval=0):
        pass
    assert log.getvalue() == ""
    with Progress(lambda: [("x", "STEP_SUCCESS")], stream=Terminal(), interval=3600, enabled=False) as progress:
        assert progress._thread is None


@pytest.fixture()
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    # A short TMPDIR of the run's own: the forkserver's socket lives there, and AF_UNIX paths are short.
    with tempfile.TemporaryDirectory(prefix="sv-") as scratch:
        yield {"DAGSTER_HOME": str(tmp_path / "home"), "SAMVERKAN_STORAGE": str(tmp_path / "storage"),
               "SAMVERKAN_GX_DIR": str(tmp_path / "gx"), "SAMVERKAN_ALERTS_DIR": str(tmp_path / "alerts"),
               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": scratch}


def samverkan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SAMVERKAN), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_a_clean_demo_year_prints_at_most_twelve_lines(tmp_path: Path, environment: dict[str, str]) -> None:
    inbox, out = tmp_path / "demo-inbox", tmp_path / "out"
    # `make report`'s inbox for 2024.
    made = samverkan(environment, "synth", "--forbund", "3", "--years", "2018-2024", "--participants-per-year",
                     "600", "--seed", "2024", "--out", str(inbox))
    assert made.returncode == 0, made.stderr
    done = samverkan(environment, "run", "--inbox", str(inbox), "--year", "2024", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) <= 12, "\n".join(lines)
    assert done.stderr == ""
    assert not [line for line in lines if any(word in line for word in NOISE)], "\n".join(lines)
    datasets = ("projects", "project_costs", "participants", "project_events", "project_assessments")
    assert [line.split(":")[0] for line in lines[:len(datasets)]] == list(datasets)
    assert "participants: 4200 rader in, 4200 godkända, 0 i karantän" in lines  # 7 years × 600 new
    assert lines[-2] == f"rapporter: 3 renderade (PDF och HTML), förteckning i {out / 'reports.csv'}"
    assert lines[-1].startswith(f"klart: 2024 skrivet till {out} (körning ")


@pytest.mark.slow
def test_a_failing_year_prints_one_line_per_failure_and_the_chain_only_with_debug(
        tmp_path: Path, environment: dict[str, str]) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "participants.csv").write_text("participant_id,project_id\nD1,P1\n", encoding="utf-8")
    args = ("run", "--inbox", str(inbox), "--year", "2024", "--out", str(tmp_path / "ut"))
    done = samverkan(environment, *args)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    # "körningen <id> misslyckades (det den hann skriva: <its staging folder>; <out> är orörd):"
    assert lines[0].startswith("körningen ") and " misslyckades" in lines[0] and lines[0].endswith(":")
    # Nothing else is on stderr: every other line is one failure, "  step: cause", and the data gate names both
    # missing things (the wording of each cause is the gate's, tested with it).
    assert len(lines) >= 3 and all(re.fullmatch(r"  [\w.\[\]]+: \S.*", line) for line in lines[1:]), lines
    assert any("projects" in line for line in lines[1:]) and any("participants.csv" in line for line in lines[1:])
    assert not [line for line in (done.stdout + done.stderr).splitlines() if any(w in line for w in NOISE)]
    debugged = samverkan(environment, "--debug", *args)
    assert debugged.returncode == 1
    assert 'File "' in debugged.stderr and "data_gate" in debugged.stderr
    assert " - dagster - DEBUG - " in debugged.stderr  # Dagster's own lines are back for the developer


def test_the_reports_line_says_how_many_were_reused(tmp_path: Path) -> None:
    from pipelines.console import reports_line
    from samverkan.files import write_csv_atomic

    assert reports_line(tmp_path) is None
    write_csv_atomic(pd.DataFrame({"forbund": ["A", "B", "C"]}), tmp_path / "reports.csv")
    index = (tmp_path / "reports.csv").resolve()
    assert reports_line(tmp_path) == f"rapporter: 3 renderade (PDF och HTML), förteckning i {index}"
    assert reports_line(tmp_path, reused=3) == (
        f"rapporter: 0 renderade, 3 oförändrade och återanvända (PDF och HTML), förteckning i {index}")
