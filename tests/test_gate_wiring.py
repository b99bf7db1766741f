"""The last gate for what the instance stores: metadata, check descriptions, failures and log lines.

``pipelines.metadata.gated`` walks every kind of metadata value the assets attach; the wiring test reads the
assets' source and refuses a run-time metadata value, description, ``Failure`` or ``context.log`` call that does
not go through the gate.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest
from dagster import Failure, MetadataValue, TableMetadataValue

from pipelines.metadata import failing_rows, failure, gated, gated_errors, gated_log
from samverkan.privacy import PersonalNumberError, contains_personal_number

ROOT = Path(__file__).resolve().parents[1]
# Values that Dagster stores in a run's events.
RUNTIME = {"Output", "DynamicOutput", "AssetCheckResult", "MaterializeResult", "ObserveResult",
           "AssetMaterialization", "AssetObservation"}
GATES = {"gated", "last_gate", "failing_rows"}
STEPS = {"asset", "multi_asset", "op"}
LOG_LEVELS = {"debug", "info", "warning", "error", "critical", "exception"}
NUMBER = "850314\u2013 1234"  # an en dash and a space: the forms issue 17 found leaking


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _gated(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.Call) and _name(node.func) in GATES)


def unguarded(source: str) -> list[str]:
    """Every call in ``source`` that hands Dagster a run-time string without the gate, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            names = {_name(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
            if names & STEPS and "gated_errors" not in names:
                found.append(f"{node.lineno}: {node.name} utan @gated_errors")
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "Failure":
            found.append(f"{node.lineno}: Failure (använd pipelines.metadata.failure)")
        elif name in RUNTIME:
            found += [f"{node.lineno}: {name}({kw.arg}=…)" for kw in node.keywords
                      if kw.arg in ("metadata", "description") and not _gated(kw.value)]
        elif name == "add_output_metadata" and not all(_gated(a) for a in node.args):
            found.append(f"{node.lineno}: add_output_metadata")
        elif name in LOG_LEVELS and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "log":
            found.append(f"{node.lineno}: log.{name} (använd pipelines.metadata.gated_log)")
    return found


def test_the_wiring_check_finds_what_bypasses_the_gate() -> None:
    source = ("@asset\ndef f(context, x):\n    context.log.info(x)\n    context.add_output_metadata({'a': x})\n"
              "    yield Output(x, metadata={'a': x})\n    raise Failure(description=x)\n"
              "    yield AssetCheckResult(passed=True, description=x)\n"
              "    context.add_output_metadata(gated({'a': x}))\n    yield Output(x, metadata=gated({}))\n")
    assert sorted(int(line.split(":")[0]) for line in unguarded(source)) == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("path", sorted([*(ROOT / "assets").glob("*.py"), ROOT / "pipelines" / "io_manager.py"]),
                         ids=lambda p: p.name)
def test_every_asset_passes_its_strings_through_the_gate(path: Path) -> None:
    assert unguarded(path.read_text(encoding="utf-8")) == []


def test_gated_masks_every_kind_of_metadata_value() -> None:
    problems = pd.DataFrame({"source_file": [f"deltagare {NUMBER}.csv"], "source_row": [2], "column": ["c"],
                             "rule": ["personnummer"], "message": [f"okänd kod '{NUMBER}'"]})
    values = gated({
        f"nyckel {NUMBER}": 3,
        "text": f"rad {NUMBER}",
        "md": MetadataValue.md(f"| {NUMBER} |"),
        "path": MetadataValue.path(f"/inkorg/{NUMBER}.csv"),
        # as_uri() percent-encodes the en dash: the gate must read the decoded link.
        "url": MetadataValue.url("file:///inkorg/850314%E2%80%93%201234.csv"),
        "json": MetadataValue.json({"files": [{"name": NUMBER}], NUMBER: 1}),
        "rows": failing_rows(problems),
        "count": 12, "share": 0.5, "flag": True, "none": None,
    })
    assert "nyckel XXXXXX-XXXX" in values
    assert values["text"] == "rad XXXXXX-XXXX"
    assert values["md"].md_str == "| XXXXXX-XXXX |"
    assert values["path"].path == "/inkorg/XXXXXX-XXXX.csv"
    assert values["url"].url == "file:///inkorg/XXXXXX-XXXX.csv"
    assert values["json"].data == {"files": [{"name": "XXXXXX-XXXX"}], "XXXXXX-XXXX": 1}
    table = values["rows"]
    assert isinstance(table, TableMetadataValue)
    assert table.records[0].data["source_file"] == "deltagare XXXXXX-XXXX.csv"
    assert table.records[0].data["message"] == "okänd kod 'XXXXXX-XXXX'"
    assert (values["count"], values["share"], values["flag"], values["none"]) == (12, 0.5, True, None)
    assert not contains_personal_number(repr(values))


def test_gated_fails_closed_on_what_it_cannot_read() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return f"Opaque({NUMBER})"

    with pytest.raises(PersonalNumberError, match="'bad'.*Opaque"):
        gated({"bad": Opaque()})
    with pytest.raises(PersonalNumberError, match="binära|granskas"):
        gated({"raw": [b"850314-1234"]})


def test_failure_and_log_lines_are_masked() -> None:
    raised = failure(description=f"filen {NUMBER}.csv kan inte läsas", metadata={"fil": NUMBER})
    assert raised.description == "filen XXXXXX-XXXX.csv kan inte läsas"
    assert raised.metadata["fil"].text == "XXXXXX-XXXX"

    class Context:
        class log:  # noqa: N801 - stands in for context.log
            lines: list[str] = []

            @classmethod
            def info(cls, message: str) -> None:
                cls.lines.append(message)

    gated_log(Context).info(f"läste {NUMBER}")
    assert Context.log.lines == ["läste XXXXXX-XXXX"]


def test_an_error_that_echoes_a_personnummer_is_raised_masked_without_its_chain() -> None:
    @gated_errors
    def step(value: str) -> int:
        try:
            return int(value)
        except ValueError as exc:
            raise RuntimeError("kunde inte tolka raden") from exc

    @gated_errors
    def steps(value: str):
        yield int(value)

    for compute in (step, lambda v: list(steps(v))):
        with pytest.raises(Failure) as raised:
            compute(NUMBER)
        assert "XXXXXX-XXXX" in raised.value.description or "personnummer" in raised.value.description
        assert not contains_personal_number(raised.value.description)
        assert raised.value.__suppress_context__ and raised.value.__cause__ is None
    # A clean error passes unchanged, chain and all.
    with pytest.raises(ValueError, match="invalid literal"):
        list(steps("abc"))
    assert step("42") == 42 and list(steps("7")) == [7]
