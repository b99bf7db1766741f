"""The versioned rules file for success levels: load it, check every key, say clearly what is wrong.

Every threshold the classification uses comes from here, so an evaluator can
change one, re-run a year and get a result that names the rules version it used.
An evaluator's file holds only the rules to change; it is merged over the shipped file, and a changed rule
without a basis of its own (under ``basis:``, keyed like ``outcome.min_exits``) is marked as the evaluator's.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from samverkan.ledger.actors import MEMBER_CODES
from samverkan.ledger.parameters import P0_KEY, LedgerParameters, load_parameters
from samverkan.overrides import EVALUATOR_BASIS, RunFileError, SafeLoader, merge, read_yaml, short_hash

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "success_rules.yaml"
TESTS = ("wilson",)
LEVELS = ("0", "skenbar", "1", "2", "3")
MEMBERS = MEMBER_CODES

# The expected shape: key -> nested shape, or a type name for a leaf.
SHAPE: dict[str, Any] = {
    "version": "version",
    "counterfactual": {"parameter": "text", "note": "text"},
    "outcome": {"min_exits": "count", "test": "test", "confidence": "open_share"},
    "follow_up": {"min_followed": "count", "min_retention": "share"},
    "apparent_success": {"replaces_levels": "levels"},
    "projects": {"years_after_end": "count"},
    "members": {m: {"names": "names", "patterns": "patterns"} for m in MEMBERS},
    "non_members": {"patterns": "patterns"},
}


# Optional in a partial file: the evaluator's basis per changed rule (``outcome.min_exits: "text"``).
BASIS_KEY = "basis"


class RulesError(RunFileError):
    """A rules file that cannot be used; every line names the file and the key."""


@dataclass(frozen=True)
class Rules:
    version: str
    reference: float
    reference_basis: str
    reference_source: str
    min_exits: int
    test: str
    confidence: float
    min_followed: int
    min_retention: float
    skenbar_replaces: tuple[str, ...]
    years_after_end: int
    member_names: dict[str, tuple[str, ...]] = field(hash=False)
    member_patterns: dict[str, tuple[str, ...]] = field(hash=False)
    non_member_patterns: tuple[str, ...] = ()
    source: str = ""
    reference_by_group: dict[str, float] = field(default_factory=dict, hash=False)
    # Rule key → basis of a rule changed from the shipped file (the evaluator's own or EVALUATOR_BASIS).
    changed: dict[str, str] = field(default_factory=dict, hash=False)

    def reference_for(self, target_group: object) -> float:
        """p0 for a project's target group (the default where the group has no value of its own)."""
        if isinstance(target_group, str) and target_group in self.reference_by_group:
            return self.reference_by_group[target_group]
        return self.reference

    def parameters(self) -> pd.DataFrame:
        """Every rule as ``parameter, value, basis`` rows for the method appendix and the CSV extract."""
        rows = [
            ("rules_version", self.version, f"Regelfil: {Path(self.source).name}" if self.source else ""),
            ("counterfactual (p0)", f"{self.reference:g}",
             f"{self.reference_basis} Källa: {self.reference_source}"),
            *((f"counterfactual (p0, {g})", f"{v:g}", f"Källa: {self.reference_source}")
              for g, v in self.reference_by_group.items()),
            ("outcome.min_exits", str(self.min_exits), "Minsta antal räknade avslut för att pröva effekten."),
            ("outcome.test", self.test, "Nedre gränsen i Wilson-intervallet ska vara större än referensen."),
            ("outcome.confidence", f"{self.confidence:g}", "Tvåsidig konfidensgrad för intervallet."),
            ("follow_up.min_followed", str(self.min_followed),
             "Minsta antal uppföljda (arbete/studier vid avslut) för att bedöma varaktigheten."),
            ("follow_up.min_retention", f"{self.min_retention:g}",
             "Minsta andel som har kvar arbete/studier efter 12 månader."),
            ("apparent_success.replaces_levels", ",".join(self.skenbar_replaces),
             "Nivåer som skenbar framgång ersätter."),
            ("projects.years_after_end", str(self.years_after_end),
             "Avslutade insatser bedöms så många år efter slutåret."),
        ]
        rows = [(key, value, self.changed.get(key, basis)) for key, value, basis in rows]
        return pd.DataFrame(rows, columns=["parameter", "value", "basis"])


def _text(value: Any, fail: Callable[[str], RulesError]) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise fail("ska vara en icke-tom text")
    return str(value).strip()


def _version(value: Any, fail: Callable[[str], RulesError]) -> str:
    # A bare 2026.10 would be read as the number 2026.1: the version must be written as text.
    if not isinstance(value, str) or not value.strip():
        raise fail('ska vara en icke-tom text inom citattecken, t.ex. "2026.1"')
    return value.strip()


def _share(value: Any, fail: Callable[[str], RulesError], open_interval: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail("ska vara ett tal mellan 0 och 1")
    inside = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not inside:
        raise fail("ska vara ett tal " + ("strikt mellan 0 och 1" if open_interval else "mellan 0 och 1"))
    return float(value)


def _count(value: Any, fail: Callable[[str], RulesError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail("ska vara ett heltal större än eller lika med 0")
    return int(value)


def _test(value: Any, fail: Callable[[str], RulesError]) -> str:
    if value not in TESTS:
        raise fail(f"ska vara ett av {', '.join(TESTS)}")
    return value


def _levels(value: Any, fail: Callable[[str], RulesError]) -> tuple[str, ...]:
    if not isinstance(value, list) or any(str(v) not in ("0", "1") for v in value):
        raise fail('ska vara en lista med nivåer bland "0" och "1"')
    return tuple(sorted({str(v) for v in value}))


def _texts(value: Any, fail: Callable[[str], RulesError]) -> list[str]:
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise fail("ska vara en lista med texter")
    return value


def _names(value: Any, fail: Callable[[str], RulesError]) -> tuple[str, ...]:
    return () if value is None else tuple(v.strip().casefold() for v in _texts(value, fail))


def _patterns(value: Any, fail: Callable[[str], RulesError]) -> tuple[str, ...]:
    if value is None:
        return ()
    for pattern in _texts(value, fail):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail(f"ogiltigt reguljärt uttryck {pattern!r}: {exc}") from None
    return tuple(value)


_LEAVES: dict[str, Callable[[Any, Callable[[str], RulesError]], Any]] = {
    "text": _text, "version": _version, "share": _share,
    "open_share": lambda value, fail: _share(value, fail, open_interval=True),
    "count": _count, "test": _test, "levels": _levels, "names": _names, "patterns": _patterns,
}


def _leaf(value: Any, kind: str, where: str) -> Any:
    def fail(expected: str) -> RulesError:
        return RulesError(f"{where}: {expected}, fick {value!r}")

    return _LEAVES[kind](value, fail)


def _walk(data: Any, shape: dict[str, Any], prefix: str, origin: str, problems: list[str]) -> dict[str, Any]:
    where = f"regelfilen {origin}"
    if not isinstance(data, dict):
        problems.append(f"{where}: {prefix or 'filen'} ska vara en samling nycklar, fick {type(data).__name__}")
        return {}
    problems.extend(f"{where}: okänd nyckel {prefix}{key!s} (tillåtna: {', '.join(shape)})"
                    for key in sorted(set(map(str, data)) - set(shape)))
    out: dict[str, Any] = {}
    for key, kind in shape.items():
        path = f"{prefix}{key}"
        if key not in data:
            problems.append(f"{where}: nyckeln {path} saknas")
        elif isinstance(kind, dict):
            out[key] = _walk(data[key], kind, f"{path}.", origin, problems)
        else:
            try:
                out[key] = _leaf(data[key], kind, f"{where}: {path}")
            except RulesError as exc:
                problems.extend(exc.lines)
    return out


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        out.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return out


def parse_rules(text: str, origin: str = "<text>", parameters: LedgerParameters | None = None) -> Rules:
    """Rules from a complete YAML text; ``RulesError`` names every missing, unknown or invalid key.

    p0 comes from ``parameters`` (the shipped parameters file when empty): the rules file only names the key.
    """
    try:
        data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise RulesError(f"regelfilen {origin}: inte giltig YAML: {exc}") from None
    return _rules(data, origin, parameters)


def _rules(data: Any, origin: str, parameters: LedgerParameters | None,
           version: str | None = None, changed: dict[str, str] | None = None) -> Rules:
    problems: list[str] = []
    d = _walk(data, SHAPE, "", origin, problems)
    if problems:
        raise RulesError(problems)
    if d["counterfactual"]["parameter"] != P0_KEY:
        raise RulesError(f"regelfilen {origin}: counterfactual.parameter ska vara {P0_KEY}, "
                         f"fick {d['counterfactual']['parameter']!r}")
    if parameters is None:
        try:
            parameters = load_parameters()
        except (OSError, ValueError) as exc:
            raise RulesError(f"parameterfilen med p0 kan inte läsas: {exc}") from None
    return Rules(
        version=version or d["version"],
        reference=parameters.p0.value,
        reference_basis=parameters.p0.basis,
        reference_source=f"parameterfilen {P0_KEY}, version {parameters.version}",
        reference_by_group=dict(parameters.p0_by_target_group),
        min_exits=d["outcome"]["min_exits"],
        test=d["outcome"]["test"],
        confidence=d["outcome"]["confidence"],
        min_followed=d["follow_up"]["min_followed"],
        min_retention=d["follow_up"]["min_retention"],
        skenbar_replaces=d["apparent_success"]["replaces_levels"],
        years_after_end=d["projects"]["years_after_end"],
        member_names={m: d["members"][m]["names"] for m in MEMBERS},
        member_patterns={m: d["members"][m]["patterns"] for m in MEMBERS},
        non_member_patterns=d["non_members"]["patterns"],
        source=origin,
        changed=changed or {},
    )


def _changed(override: dict, shipped: dict, origin: str) -> dict[str, str]:
    """Rule key (as ``Rules.parameters`` names it) → basis, for every rule the override changes."""
    given = override.pop(BASIS_KEY, None) or {}
    if not isinstance(given, dict):
        raise RulesError(f"regelfilen {origin}: {BASIS_KEY} ska vara nycklar med en text var, "
                         f"t.ex. outcome.min_exits: \"egen grund\"")
    before, after = _flat(shipped), _flat(merge(shipped, override))
    known = sorted(key for key in before if key != "version")
    unknown = [str(key) for key in given if key not in before or key == "version"]
    if unknown:
        lines = []
        for key in unknown:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"; menade du {near[0]}?" if near else f" (regler: {', '.join(known)})"
            lines.append(f"regelfilen {origin}: {BASIS_KEY}.{key} är ingen regel{hint}")
        raise RulesError(lines)
    changed = {}
    for key, value in after.items():
        if key != "version" and before.get(key) != value:
            changed[key] = str(given.get(key) or f"{EVALUATOR_BASIS} (standardvärde {before.get(key)!s})")
    return changed


def load_rules(path: str | Path | None = None, parameters_file: str | Path | None = None,
               parameters: LedgerParameters | None = None) -> Rules:
    """The shipped rules with the (partial) file ``path`` merged over them; p0 from ``parameters``, else from
    ``parameters_file`` (the shipped one when empty). Every problem of the file is raised together."""
    if parameters is None:
        try:
            parameters = load_parameters(parameters_file or None)
        except RunFileError as exc:
            raise RulesError(exc.lines) from None
        except (OSError, ValueError) as exc:
            raise RulesError(f"parameterfilen med p0 kan inte läsas: {exc}") from None
    if not path or Path(path).resolve() == DEFAULT_RULES_FILE:
        return default_rules(parameters)
    file = Path(path)
    try:
        override, raw = read_yaml(file, "regelfilen")
    except RunFileError as exc:
        raise RulesError(exc.lines) from None
    shipped = yaml.load(DEFAULT_RULES_FILE.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
    changed = _changed(override, shipped, str(file))
    merged = merge(shipped, override)
    return _rules(merged, str(file), parameters, f"{merged.get('version')}+{short_hash(raw)}", changed)


def default_rules(parameters: LedgerParameters) -> Rules:
    """The packaged rules with p0 from ``parameters``."""
    return parse_rules(DEFAULT_RULES_FILE.read_text(encoding="utf-8"), str(DEFAULT_RULES_FILE), parameters)
