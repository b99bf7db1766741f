"""Run-failure alerts: every failed run of every job leaves a notice, and an e-mail when SMTP is set.

The notice is a small Markdown file in ``SAMVERKAN_ALERTS_DIR`` (default
``var/alerts``), one per failed run, named by time and run id so a scan of the
folder is the failure history. It says which job, which year, which steps failed
with their messages, and what to do next. Messages are masked for personnummer
before they are written or sent.

E-mail goes out with the steward notice's SMTP settings (``samverkan.steward``,
``SAMVERKAN_SMTP_*``) to ``SAMVERKAN_ALERT_TO``, or ``SAMVERKAN_SMTP_TO`` when
that is not set. A failed send is logged and never hides the notice file.

The sensor runs in the daemon (``dagster-daemon run``, or the daemon pod in
Kubernetes) and is on by default.
"""

import datetime as dt
import os
import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from samverkan import steward
from samverkan.files import write_bytes_atomic
from samverkan.privacy import mask_personal_numbers

DEFAULT_ALERTS_DIR = "var/alerts"
PARTITION_TAG = "dagster/partition"


@dataclass(frozen=True)
class FailureNotice:
    run_id: str
    job_name: str
    partition: str | None
    failed_at: dt.datetime
    run_message: str
    step_failures: list[tuple[str, str]]
    webserver_url: str | None = None

    @property
    def subject(self) -> str:
        year = f" för {self.partition}" if self.partition else ""
        return f"[samverkansbokslut] Körningen av {self.job_name}{year} misslyckades ({self.run_id[:8]})"

    def markdown(self) -> str:
        lines = [
            f"# {self.subject}",
            "",
            f"- Jobb: `{self.job_name}`",
            f"- År (partition): {self.partition or '–'}",
            f"- Körning: `{self.run_id}`",
            f"- Tidpunkt (UTC): {self.failed_at:%Y-%m-%d %H:%M:%S}",
        ]
        if self.webserver_url:
            lines.append(f"- I Dagster: {self.webserver_url.rstrip('/')}/runs/{self.run_id}")
        lines += ["", "## Vad som gick fel", "", mask_personal_numbers(self.run_message.strip()) or "–", ""]
        if self.step_failures:
            lines += ["| steg | fel |", "|---|---|"]
            for step, message in self.step_failures:
                lines.append(f"| `{step}` | {_one_line(message)} |")
            lines.append("")
        lines += [
            "## Vad du gör nu",
            "",
            "1. Öppna körningen i Dagster och läs felet för varje steg ovan. Ett fel i en `data_contract`-kontroll "
            "betyder att inkorgens data bröt mot kontraktet: se förvaltarnotisen bredvid årets utdrag.",
            "2. Rätta orsaken (inkorgens filer, en parameterfil eller miljön).",
            "3. Kör om från felet (*Re-execute from failure*) eller kör året igen med "
            f"`samverkan run --year {self.partition or 'ÅÅÅÅ'} …`. Utdata skrivs atomiskt, så inget halvfärdigt "
            "ligger kvar från den misslyckade körningen.",
            "",
        ]
        return "\n".join(lines)


def _one_line(message: str, limit: int = 400) -> str:
    """An error message as one table cell: masked, module path dropped, on one line, not endless."""
    text = " ".join(mask_personal_numbers(message).split())
    text = re.sub(r"^(?:\w+\.)+(\w+): ", r"\1: ", text)
    text = text.replace("|", "/")
    return (text[: limit - 1] + "…" if len(text) > limit else text) or "–"


def notice_from_context(context: RunFailureSensorContext) -> FailureNotice:
    run = context.dagster_run
    steps = [
        (event.step_key or "?", event.step_failure_data.error.message if event.step_failure_data.error else "")
        for event in context.get_step_failure_events()
        if event.step_failure_data is not None
    ]
    return FailureNotice(
        run_id=run.run_id,
        job_name=run.job_name,
        partition=run.tags.get(PARTITION_TAG),
        failed_at=dt.datetime.fromtimestamp(context.dagster_event.timestamp, tz=dt.UTC)
        if getattr(context.dagster_event, "timestamp", None) else dt.datetime.now(dt.UTC),
        run_message=context.failure_event.message or "",
        step_failures=steps,
        webserver_url=os.environ.get("SAMVERKAN_DAGSTER_URL") or None,
    )


def write_notice(notice: FailureNotice, folder: Path) -> Path:
    name = f"{notice.failed_at:%Y%m%dT%H%M%S}-{notice.job_name}-{notice.run_id[:8]}.md"
    return write_bytes_atomic(Path(folder) / name, notice.markdown().encode("utf-8"))


def send_notice(notice: FailureNotice, env: Mapping[str, str] | None = None) -> bool:
    """E-mail the notice with the steward notice's SMTP settings; False when SMTP is not configured.

    Run failures go to ``SAMVERKAN_ALERT_TO`` (operators) when set, else to ``SAMVERKAN_SMTP_TO``.
    """
    env = dict(os.environ if env is None else env)
    env["SAMVERKAN_STEWARD_TO"] = env.get("SAMVERKAN_ALERT_TO") or env.get("SAMVERKAN_SMTP_TO") or ""
    return steward.send_notice(notice.subject, notice.markdown(), env)


@run_failure_sensor(
    name="run_failure_notice",
    description="Skriver en notis (och e-post om SMTP är satt) för varje misslyckad körning av varje jobb.",
    default_status=DefaultSensorStatus.RUNNING,
)
def run_failure_notice(context: RunFailureSensorContext) -> None:
    notice = notice_from_context(context)
    path = write_notice(notice, Path(os.environ.get("SAMVERKAN_ALERTS_DIR", DEFAULT_ALERTS_DIR)))
    context.log.info(f"notis skriven: {path}")
    try:
        if send_notice(notice):
            context.log.info("e-post om felet skickad")
    except (OSError, smtplib.SMTPException) as exc:
        context.log.error(f"e-post kunde inte skickas ({exc}); notisen finns i {path}")
