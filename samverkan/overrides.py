"""Partial run files: a YAML file holding only the values to change, merged over the shipped file.

Shared by the ledger parameters and the success rules (the catalogue override is CSV and lives in
``samverkan.ledger.catalogue``). Every problem is one Swedish line; a file with problems raises one
``RunFileError`` carrying all its lines, so an evaluator fixes a file in one go.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

# Written as the basis of a value an evaluator changed without giving a basis of their own.
EVALUATOR_BASIS = "ändrat av utvärderaren, ingen egen grund angiven"


class RunFileError(ValueError):
    """A parameters, rules or catalogue file that cannot be used; ``lines`` are the Swedish reasons."""

    def __init__(self, lines: Iterable[str] | str) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


# libyaml's parser under the same safe constructor: the run files are parsed in every step that reads them, and
# the pure-Python parser made that a visible part of a small step.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(SafeLoader):
    """The safe loader, refusing a key given twice (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"nyckeln {key!r} anges två gånger",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, what: str) -> tuple[dict, bytes]:
    """The document in ``path`` (an empty file is an empty document) and its bytes; one line per failure."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RunFileError([f"{what} {path} finns inte"]) from None
    except OSError as exc:
        raise RunFileError([f"{what} {path} kan inte läsas ({exc.__class__.__name__})"]) from None
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except UnicodeDecodeError:
        raise RunFileError([f"{what} {path}: filen är inte sparad som UTF-8"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", rad {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None)
        detail = f" (parserns besked: {reason})" if reason else ""
        raise RunFileError([f"{what} {path}{line}: inte giltig YAML; kontrollera indrag, kolon "
                            f"och citattecken{detail}"]) from None
    except ValueError as exc:  # a YAML date that is no date, from the date constructor
        raise RunFileError([f"{what} {path}: ett värde går inte att läsa ({exc})"]) from None
    if data is None:
        return {}, raw
    if not isinstance(data, dict):
        raise RunFileError([f"{what} {path}: filen ska vara en samling nycklar, fick {type(data).__name__}"])
    return data, raw


def short_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


def unknown_keys(data: Any, allowed: Mapping[str, Any], where: str, prefix: str = "") -> list[str]:
    """One line per key of ``data`` not in the nested ``allowed`` shape, naming the allowed keys.

    A shape value ``None`` accepts anything below the key (e.g. per-förbund names).
    """
    if not isinstance(data, dict):
        return []
    lines = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if str(key) not in allowed:
            lines.append(f"{where}: okänd nyckel {name} (tillåtna: {', '.join(allowed)})")
        elif isinstance(allowed[str(key)], dict):
            lines.extend(unknown_keys(value, allowed[str(key)], where, f"{name}."))
    return lines


def merge(defaults: Any, override: Any, replace_whole: frozenset[str] = frozenset(), path: str = "") -> Any:
    """``override`` merged over ``defaults``: mappings key by key, anything else replaced.

    A key path in ``replace_whole`` (e.g. ``forbund_shares.default``) is replaced as a whole, since a
    half-given set of shares cannot sum to one.
    """
    if not isinstance(defaults, dict) or not isinstance(override, dict) or path in replace_whole:
        return copy.deepcopy(override)
    out = copy.deepcopy(defaults)
    for key, value in override.items():
        child = f"{path}.{key}" if path else str(key)
        out[key] = merge(defaults[key], value, replace_whole, child) if key in defaults else copy.deepcopy(value)
    return out


def mark_evaluator_basis(merged: dict, override: Mapping, defaults: Mapping, describe: Any = None) -> None:
    """Where ``override`` changes a node that has a basis but gives no basis of its own, say so.

    The shipped basis would otherwise stand beside a value it does not support.
    """
    for key, node in override.items():
        if not isinstance(node, dict) or key not in defaults or not isinstance(defaults[key], dict):
            continue
        shipped = defaults[key]
        if "basis" in shipped and "basis" not in node and any(k != "basis" for k in node):
            before = describe(shipped) if describe else ""
            merged[key]["basis"] = EVALUATOR_BASIS + (f" (standardvärde {before})" if before else "")
        elif "basis" not in shipped:
            mark_evaluator_basis(merged[key], node, shipped, describe)
