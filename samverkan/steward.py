"""The steward notice: what failed validation in a run, in words a data steward can act on.

Pure: the Dagster sensor (pipelines/sensors.py) and ``samverkan run`` collect
the check outcomes and call these functions. The notice is a Markdown file in
the year's output folder, and an e-mail when SMTP settings are in the
environment:

- ``SAMVERKAN_SMTP_HOST`` (required for e-mail), ``SAMVERKAN_SMTP_PORT`` (25),
- ``SAMVERKAN_SMTP_FROM`` (``samverkansbokslut@localhost``),
- ``SAMVERKAN_STEWARD_TO`` or ``SAMVERKAN_SMTP_TO``: recipients, comma separated,
- ``SAMVERKAN_SMTP_STARTTLS`` (``1``), ``SAMVERKAN_SMTP_USER`` / ``SAMVERKAN_SMTP_PASSWORD`` when the server
  wants them.

A row quarantined only because its project's row is in quarantine (rule ``project_in_quarantine``) is
counted under that project row, its cause, and not as a problem of its own dataset.

Every file in the inbox that no dataset reads (``samverkan.unread``) is listed with the reason; one that is
likely data (another name, an ``.xls``, a link) calls for a notice on its own.

Every text that goes out is masked for personnummer once more, whatever its source.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from samverkan.files import write_bytes_atomic
from samverkan.privacy import mask_personal_numbers
from samverkan.quality import QUALITY_FILE, SUMMARY_FILE, WORKBOOK_FILE
from samverkan.unread import UnreadFile

NOTICE_FILE = "steward_notice.md"
SENT_MARKER = ".steward_notice_sent"


@dataclass(frozen=True)
class CheckOutcome:
    dataset: str
    passed: bool
    severity: str  # "ERROR" or "WARN"
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    headline: str = ""
    dataset_errors: tuple[str, ...] = ()
    failed_expectations: tuple[dict, ...] = field(default_factory=tuple)
    # Where Great Expectations and the row rules disagree: a fault of the program, not of the file.
    disagreements: tuple[str, ...] = ()
    # Rows quarantined only because their project's row is: {"cause": "projects.xlsx rad 15", "rows": n}.
    cascades: tuple[dict, ...] = ()

    @property
    def cascaded(self) -> int:
        return sum(int(c.get("rows", 0)) for c in self.cascades)

    @property
    def own_problems(self) -> int:
        """Quarantined rows with a fault of their own, not only one inherited from a project row."""
        return self.quarantined - self.cascaded

    @property
    def blocking(self) -> bool:
        """The dataset cannot be used, so the data gate stops the year (the rule of ``quality.gate_message``)."""
        return not self.passed and self.severity == "ERROR" and bool(self.dataset_errors)


def needs_notice(outcomes: list[CheckOutcome], unread: list[UnreadFile] = ()) -> bool:
    return any(not o.passed for o in outcomes) or any(u.notable for u in unread)


def subject(year: str, outcomes: list[CheckOutcome], unread: list[UnreadFile] = ()) -> str:
    blocked = [o.dataset for o in outcomes if o.blocking]
    if blocked:
        return f"[samverkansbokslut] {year}: {', '.join(blocked)} kan inte användas – åtgärd krävs"
    rows = sum(o.own_problems for o in outcomes)
    if not rows and any(u.notable for u in unread):
        return f"[samverkansbokslut] {year}: {sum(u.notable for u in unread)} filer i inkorgen lästes inte"
    return f"[samverkansbokslut] {year}: {rows} rader i karantän att granska"


def unread_lines(unread: list[UnreadFile]) -> list[str]:
    if not unread:
        return []
    return ["## Filer i inkorgen som inte lästes", "",
            "Filerna nedan är inte med i bokslutet. Är någon av dem data, rätta namnet eller formatet (eller ange ett "
            "filnamnsmönster i importprofilen) och kör året igen.", "",
            *[f"- `{u.name}`: {u.reason}" for u in unread], ""]


def cascade_lines(outcomes: list[CheckOutcome]) -> list[str]:
    """One line per project row in quarantine that took rows of other datasets with it."""
    by_cause: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        for cascade in outcome.cascades:
            counts = by_cause.setdefault(str(cascade.get("cause", "")), {})
            counts[outcome.dataset] = counts.get(outcome.dataset, 0) + int(cascade.get("rows", 0))
    lines = []
    for cause in sorted(by_cause):
        counts = by_cause[cause]
        where = ", ".join(f"{dataset} {n}" for dataset, n in counts.items())
        lines.append(f"- {cause}: {sum(counts.values())} rader ({where}) ligger i karantän bara för att "
                     "projektet gör det")
    return lines


def notice_markdown(year: str, run_id: str, outcomes: list[CheckOutcome], out_dir: Path,
                    data_docs: str | None = None, unread: list[UnreadFile] = ()) -> str:
    lines = [f"# Granskning av inkorgen {year}", "", f"Körning `{run_id}`.", ""]
    blocked = [o for o in outcomes if o.blocking]
    if blocked:
        lines += [
            "## Stoppar årets bokslut",
            "",
            "Dessa dataset kan inte användas, så liggaren, resultaten och rapporten har inte körts. Alla andra dataset "
            "är ändå granskade nedan. Rätta filen och kör året igen.",
            "",
        ]
        for outcome in blocked:
            lines.append(f"### {outcome.dataset}")
            lines.append("")
            lines += [f"- {e}" for e in outcome.dataset_errors] or [f"- {outcome.headline}"]
            for failed in outcome.failed_expectations:
                if failed.get("severity") == "critical":
                    lines.append(f"- {failed.get('note') or 'regeln är inte uppfylld'} "
                                 f"(`{failed.get('column')}`, regel `{failed.get('rule')}`)")
            lines.append("")
    disagreeing = [o for o in outcomes if o.disagreements]
    if disagreeing:
        lines += ["## Fel i programmet", "",
                  "Great Expectations och radreglerna är oense om raderna nedan. Det är inte filens fel: meddela "
                  "den som driftar samverkansbokslutet.", ""]
        lines += [f"- {o.dataset}: {d}" for o in disagreeing for d in o.disagreements] + [""]
    cascades = cascade_lines(outcomes)
    if cascades:
        lines += ["## Projekt i karantän som tar med sig andra rader", "",
                  "Raderna nedan har inget eget fel: deras projekt ligger i karantän. Rätta projektraden så följer "
                  "de med; de räknas inte som egna fel i tabellen nedan.", "", *cascades, ""]
    lines += unread_lines(list(unread))
    lines += ["## Per dataset", "", "| dataset | status | rader in | godkända | karantän |", "|---|---|---|---|---|"]
    for o in outcomes:
        status = "OK" if o.passed else ("FEL (stoppar)" if o.blocking else "fel" if o.disagreements else "varning")
        quarantined = f"{o.own_problems} (+{o.cascaded} via projekt)" if o.cascaded else f"{o.quarantined}"
        lines.append(f"| {o.dataset} | {status} | {o.rows_in} | {o.accepted} | {quarantined} |")
    lines += ["", "## Vad du gör nu", ""]
    lines.append(f"1. Öppna `{Path(out_dir) / WORKBOOK_FILE}` i Excel: ett blad per dataset med raderna som de "
                 "lästes, felet markerat och meddelandet bredvid. Rader i karantän är inte med i bokslutet.")
    lines.append(f"2. `{Path(out_dir) / QUALITY_FILE}` har en rad per fel med fil, radnummer, kolumn, regel och vad "
                 f"som är fel; `{Path(out_dir) / SUMMARY_FILE}` visar antalen per dataset.")
    if data_docs:
        lines.append(f"3. Great Expectations Data Docs (öppna i en webbläsare): `{data_docs}`")
    lines.append("")
    lines.append("Rätta i källsystemet eller i filen, lägg den i inkorgen igen och kör året på nytt. "
                 "Värden som liknar personnummer visas maskerade och har inte sparats.")
    return mask_personal_numbers("\n".join(lines) + "\n")


def write_notice(out_dir: Path, text: str) -> Path:
    return write_bytes_atomic(Path(out_dir) / NOTICE_FILE, mask_personal_numbers(text).encode("utf-8"))


def recipients(env: Mapping[str, str]) -> list[str]:
    text = env.get("SAMVERKAN_STEWARD_TO") or env.get("SAMVERKAN_SMTP_TO") or ""
    return [r.strip() for r in text.split(",") if r.strip()]


def send_notice(subject_line: str, text: str, env: Mapping[str, str]) -> bool:
    """E-mail the notice; False when SMTP is not configured. Errors from the server propagate."""
    host, to = env.get("SAMVERKAN_SMTP_HOST"), recipients(env)
    if not host or not to:
        return False
    message = EmailMessage()
    message["Subject"] = mask_personal_numbers(subject_line)
    message["From"] = env.get("SAMVERKAN_SMTP_FROM", "samverkansbokslut@localhost")
    message["To"] = ", ".join(to)
    message.set_content(mask_personal_numbers(text))
    with smtplib.SMTP(host, int(env.get("SAMVERKAN_SMTP_PORT", "25")), timeout=30) as smtp:
        if env.get("SAMVERKAN_SMTP_STARTTLS", "").lower() in ("1", "true", "ja", "yes"):
            smtp.starttls(context=ssl.create_default_context())
        if env.get("SAMVERKAN_SMTP_USER"):
            smtp.login(env["SAMVERKAN_SMTP_USER"], env.get("SAMVERKAN_SMTP_PASSWORD", ""))
        smtp.send_message(message)
    return True


def already_sent(out_dir: Path, run_id: str) -> bool:
    marker = Path(out_dir) / SENT_MARKER
    return marker.exists() and run_id in marker.read_text(encoding="utf-8").split()


def mark_sent(out_dir: Path, run_id: str) -> None:
    marker = Path(out_dir) / SENT_MARKER
    earlier = marker.read_text(encoding="utf-8") if marker.exists() else ""
    write_bytes_atomic(marker, (earlier + run_id + "\n").encode("utf-8"))
