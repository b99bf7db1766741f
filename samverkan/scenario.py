"""A named what-if run's name, its folders and its record, without Dagster (pipelines/scenarios.py runs it).

A scenario's name becomes a folder name under the official instance's home and in the output path, so it is
held to a short ASCII slug: a name an evaluator types with å, spaces or a per cent sign is refused with the slug
to use instead, rather than turned into one silently (two names must never land in one folder).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from samverkan.files import write_bytes_atomic
from samverkan.privacy import contains_personal_number

NAME_MAX = 40
NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# The official year's own name in the run lock's tags (pipelines/run_lock.py); no scenario may take it.
RESERVED = frozenset({"official", "scenarios"})
RECORD_FILE = "scenario.json"
SCENARIOS_DIR = "scenarios"


class ScenarioError(ValueError):
    """A scenario name, folder or record that cannot be used; the message is one Swedish line."""


def slug(text: str) -> str:
    """``text`` as the slug a scenario name must be: ASCII lower case, digits and single hyphens, capped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:NAME_MAX].rstrip("-")


def check_name(name: str) -> str:
    """``name`` when it is a usable scenario name, else ``ScenarioError`` suggesting one."""
    if contains_personal_number(name):  # it would name folders and records: refused, and never echoed
        raise ScenarioError("scenarionamnet ser ut att innehålla ett personnummer; välj ett annat namn")
    if NAME_PATTERN.match(name) and len(name) <= NAME_MAX and name not in RESERVED:
        return name
    if name in RESERVED:
        raise ScenarioError(f"scenarionamnet {name!r} är reserverat; välj ett annat")
    suggestion = slug(name)
    hint = f", t.ex. {suggestion!r}" if suggestion and suggestion not in RESERVED else ""
    raise ScenarioError(f"scenarionamnet {name!r} går inte att använda: högst {NAME_MAX} tecken a–z, 0–9 och "
                        f"bindestreck{hint}")


def default_out(official_out: Path, name: str, year: int) -> Path:
    """A scenario's output folder beside the official one: ``out/2024`` → ``out/scenarios/NAME/2024`` (the year,
    not the folder's name: the latest official folder may be a version or a failed run's staging folder)."""
    return Path(official_out).parent / SCENARIOS_DIR / name / str(year)


def overlaps(a: Path, b: Path) -> bool:
    """Whether one folder is the other or inside it (writing to one would change the other's tree)."""
    a, b = Path(a).resolve(), Path(b).resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


# What official publishing adds to the year's folder name beside it (samverkan/publish.py): a version
# (``2024-v2``), a run's staging folder (``2024.korning-<run id>``) or a folder being replaced (``.2024.ersatt-…``).
OFFICIAL_SUFFIX = r"(-v\d+)?(\.korning-.*|\.ersatt-.*)?"


def _published_name(folder: Path) -> str:
    # An official run's folder may be a version or a staging folder: the year's name is what they share.
    return re.sub(rf"{OFFICIAL_SUFFIX}$", "", folder.name.lstrip(".")) or folder.name


def official_name(folder: Path, official: Path) -> bool:
    """Whether ``folder`` is, or lies inside, a folder official publishing of ``official``'s year may use: the
    year's folder, any version of it, any run's staging folder, and so their ``_tidigare``/``_avgransad``."""
    folder, official = Path(folder).resolve(), Path(official).resolve()
    pattern = re.compile(rf"\.?{re.escape(_published_name(official))}{OFFICIAL_SUFFIX}")
    return any(part.parent == official.parent and pattern.fullmatch(part.name) for part in (folder, *folder.parents))


def check_out(out: Path, official_outs: list[Path]) -> None:
    """Refuse an output folder that is, holds or lies in a folder the official year's publishing uses or may use
    (its run folders and every name beside them that publishing gives, ``official_name``)."""
    for official in official_outs:
        if overlaps(out, official) or official_name(out, official):
            raise ScenarioError(f"utmappen {out} är (eller ligger i) det officiella årets utmapp {official} eller en "
                                "mapp bredvid som publiceringen av året använder (versioner -vN, körmappar "
                                ".korning-*); ett scenario skriver aldrig dit: välj en annan utmapp eller utelämna den")


@dataclass
class ScenarioRecord:
    """What ``scenario.json`` keeps: set when the scenario is first run, the files and outputs updated per run."""

    name: str
    created: str  # ISO 8601, UTC
    files: dict[str, str] = field(default_factory=dict)  # parameters/rules/catalogue → the file last used
    overrides: dict[str, object] = field(default_factory=dict)  # the launchpad's typed fields, last used
    # year → every output folder a run of the year used, oldest first: all of them go when it is deleted
    outputs: dict[str, list[str]] = field(default_factory=dict)

    def add_output(self, year: int, out: Path) -> None:
        used = self.outputs.setdefault(str(year), [])
        if str(out) not in used:
            used.append(str(out))

    def to_json(self) -> bytes:
        return (json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_record(home: Path) -> ScenarioRecord | None:
    """The record in a scenario's home, or None when there is none (a half-created or foreign folder)."""
    path = Path(home) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    return ScenarioRecord(name=data["name"], created=str(data.get("created", "")),
                          files=dict(data.get("files") or {}), overrides=dict(data.get("overrides") or {}),
                          outputs={str(k): _folders(v) for k, v in (data.get("outputs") or {}).items()})


def _folders(value: object) -> list[str]:
    # A record written before every folder was kept holds one folder as a string.
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def write_record(home: Path, record: ScenarioRecord) -> Path:
    return write_bytes_atomic(Path(home) / RECORD_FILE, record.to_json())
