"""The unit-cost catalogue: annual cost per actor and production value per support code and target group.

Item rows have a support code and are weighted by its extent; they may also name
an occupation, a target group and an education level, and for each kind the most
specific matching row replaces the general ones (occupation first, then target
group, then education level: ``lon`` by education level is the entry wage).
Whole-person rows have an empty support code and apply once per person whose
occupation and target group they match; their cost falls by ``reduction_in_work``
(a share, 0 when empty) while the person is in work or studies. The actor
columns are costs per full-time year (negative = income, e.g. tax on a wage);
``produktionsvarde_sek`` is the value produced. Every amount is indexed from its
``price_year`` to the report year with the prisbasbelopp series.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from samverkan.contract import EDUCATION_LEVEL, OCCUPATION, SUPPORT_CODES, TARGET_GROUP
from samverkan.ledger.actors import ACTOR_CODES, ACTORS
from samverkan.ledger.parameters import CONFIDENCE
from samverkan.overrides import EVALUATOR_BASIS, RunFileError, short_hash

AMOUNT_COLUMNS = tuple(f"{code}_sek" for code in ACTOR_CODES)
TEXT_COLUMNS = ("source", "note")
REQUIRED_COLUMNS = ("support_code", "occupation", *AMOUNT_COLUMNS, "price_year", "confidence", "source")
PRODUCTION_INDEX = ACTORS.index("Produktionsvärde")
KINDS = ("real", "transfer")
# Optional key columns (empty = any); a catalogue without them works as before.
KEY_COLUMNS = ("support_code", "occupation", "target_group", "education_level", "item", "kind")


def _data_file(name: str) -> Path:
    return Path(str(resources.files("samverkan") / "data" / name))


def default_catalogue_file() -> Path:
    return _data_file("unit_costs.csv")


def default_prisbasbelopp_file() -> Path:
    return _data_file("prisbasbelopp.csv")


def load_prisbasbelopp(path: Path | str | None = None) -> pd.DataFrame:
    """The prisbasbelopp series: ``year, prisbasbelopp_sek, status, source``."""
    frame = pd.read_csv(Path(path) if path else default_prisbasbelopp_file(), dtype={"status": "str"})
    frame["year"] = frame["year"].astype("int64")
    frame["prisbasbelopp_sek"] = frame["prisbasbelopp_sek"].astype("float64")
    return frame.sort_values("year", ignore_index=True)


def price_factors(price_years: pd.Series, report_year: int, series: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Factor pbb(report year) / pbb(price year) per row, and a note when the series had to be extended.

    A report year after the last year in the series uses the last known value (the note says so);
    a price year outside the series is an error, since nothing honest can be assumed.
    """
    pbb = series.set_index("year")["prisbasbelopp_sek"]
    note = ""
    target_year = report_year
    if report_year > pbb.index.max():
        target_year = int(pbb.index.max())
        note = f"prisbasbelopp för {report_year} saknas; {target_year} års värde används"
    elif report_year < pbb.index.min():
        raise ValueError(f"prisbasbelopp för {report_year} saknas i serien")
    missing = sorted(set(price_years) - set(pbb.index))
    if missing:
        raise ValueError(f"prisbasbelopp saknas för prisår {', '.join(map(str, missing))}")
    estimated = series[series["status"].fillna("") != "fastställt"]
    used = set(price_years) | {target_year}
    shaky = sorted(used & set(estimated["year"]))
    if shaky:
        note = "; ".join(filter(None, [note, f"prisbasbelopp för {', '.join(map(str, shaky))} är uppskattat"]))
    factors = pbb[target_year] / pbb.reindex(price_years.to_numpy()).to_numpy()
    return factors.astype("float64"), note


@dataclass(frozen=True)
class Catalogue:
    """A loaded catalogue in one report year's prices."""

    rows: pd.DataFrame  # the file's rows plus price_factor and the indexed amounts
    costs: np.ndarray  # (rows, actors): cost per full-time year; production as a negative cost
    real: np.ndarray  # (rows, actors): the part of ``costs`` that is real resources
    version: str
    report_year: int
    note: str

    def item_rows(self) -> dict[tuple[str, str, str, str, str], list[int]]:
        """(support code, occupation, target group, education level, kind; '' = any) → row numbers."""
        items = self.rows[self.rows["support_code"] != ""]
        out: dict[tuple[str, str, str, str, str], list[int]] = {}
        keys = zip(items.index, items["support_code"], items["occupation"], items["target_group"],
                   items["education_level"], items["kind"], strict=True)
        for i, c, o, g, e, k in keys:
            out.setdefault((c, o, g, e, k), []).append(int(i))
        return out

    def situation_rows(self) -> pd.DataFrame:
        """The whole-person rows: ``row, occupation, target_group, reduction`` ('' = any)."""
        sit = self.rows[self.rows["support_code"] == ""]
        return pd.DataFrame({"row": sit.index.to_numpy(dtype="int64"), "occupation": sit["occupation"].to_numpy(),
                             "target_group": sit["target_group"].to_numpy(),
                             "reduction": sit["reduction_in_work"].to_numpy(dtype="float64")})

    def confidence(self) -> np.ndarray:
        return self.rows["confidence"].to_numpy()


def _read_rows(raw: bytes) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # as Excel saves CSV on Swedish Windows
    header = text.split("\n", 1)[0]
    frame = pd.read_csv(io.StringIO(text), dtype="str", keep_default_na=False, sep=";" if ";" in header else ",")
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def _override_values(columns: list[str]) -> list[str]:
    """What an override row may replace: every column but the version and the keys that identify a row."""
    return [c for c in columns if c not in KEY_COLUMNS and c != "version"]


def is_override(frame: pd.DataFrame) -> bool:
    """A file with the key columns and some values, but not every required column, holds only the values to
    change (one with no value column is a broken catalogue, refused for its missing columns)."""
    columns = set(frame.columns)
    return ({"support_code", "occupation"} <= columns and bool(_override_values(list(frame.columns)))
            and not set(REQUIRED_COLUMNS) <= columns)


def apply_catalogue_override(override: pd.DataFrame, raw: bytes, name: str) -> pd.DataFrame:
    """The shipped catalogue's rows with the override's values in place (as text, checked by the loader).

    Each override row names one shipped row by its key columns; a key column it leaves out must not be needed
    to tell rows apart. Changed amounts without a source of their own get the evaluator's mark as source, and
    every row's version becomes ``<version>+<hash of the override>``.
    """
    base = _read_rows(default_catalogue_file().read_bytes())
    keys = [c for c in KEY_COLUMNS if c in base.columns]
    replaceable = _override_values(list(base.columns))
    unknown = [c for c in override.columns if c not in keys and c not in replaceable and c != "version"]
    problems = [f"{name}: okänd kolumn {c} (tillåtna: {', '.join([*keys, *replaceable])})" for c in unknown]
    normal = {c: base[c].str.strip().str.lower() for c in keys}
    if "kind" in normal:
        normal["kind"] = normal["kind"].replace("", "transfer")
    out = base.copy()
    given_keys = [c for c in keys if c in override.columns]
    named: dict[int, int] = {}  # shipped row → the override row that named it first
    for i, row in override.iterrows():
        wanted = {c: str(row[c]).strip().lower() or ("transfer" if c == "kind" else "") for c in given_keys}
        mask = np.logical_and.reduce([normal[c] == v for c, v in wanted.items()])
        where = f"{name}: rad {i + 2} ({', '.join(f'{c}={v}' for c, v in wanted.items())})"
        if mask.sum() == 0:
            problems.append(f"{where}: finns inte i katalogen; en ny rad kräver en hel katalogfil")
            continue
        if mask.sum() > 1:
            differ = [c for c in keys if c not in given_keys and normal[c][mask].nunique() > 1]
            problems.append(f"{where}: matchar {int(mask.sum())} rader; ange också {', '.join(differ)}")
            continue
        j = int(np.flatnonzero(mask)[0])
        if j in named:
            # Which of two values would win is the file's order, not the evaluator's intent: say so.
            problems.append(f"{where}: samma rad i katalogen som rad {named[j] + 2}; ange varje rad en gång")
            continue
        named[j] = i
        values = [c for c in replaceable if c in override.columns and str(row[c]).strip() != ""]
        for column in values:
            out.loc[j, column] = str(row[column])
        if "source" not in values and any(c in values for c in AMOUNT_COLUMNS):
            out.loc[j, "source"] = f"{EVALUATOR_BASIS} (tidigare källa: {base.loc[j, 'source']})"
    if problems:
        raise RunFileError(problems)
    version = out["version"] if "version" in out.columns else pd.Series("utan version", index=out.index)
    out["version"] = version + "+" + short_hash(raw)
    return out


def _row_problems(frame: pd.DataFrame) -> tuple[list[str], pd.Series, pd.DataFrame, pd.Series]:
    """Every row's problems ("rad N: …", row 1 being the header) and the parsed reductions, amounts and years."""
    problems = []
    bad_code = ~frame["support_code"].isin([*SUPPORT_CODES, ""])
    bad_occ = ~frame["occupation"].isin([*OCCUPATION, ""])
    bad_group = ~frame["target_group"].isin([*TARGET_GROUP, ""])
    bad_edu = ~frame["education_level"].isin([*EDUCATION_LEVEL, ""])
    reduction = pd.to_numeric(frame["reduction_in_work"].str.strip().str.replace(",", ".", regex=False)
                              .replace("", "0"), errors="coerce")
    bad_reduction = ~reduction.between(0.0, 1.0)
    both_empty = (frame["support_code"] == "") & (frame["occupation"] == "") & (frame["target_group"] == "")
    bad_conf = ~frame["confidence"].isin(CONFIDENCE)
    no_source = frame["source"].str.strip() == ""
    bad_kind = ~frame["kind"].isin(KINDS)
    for mask, message in ((bad_code, "okänd stödkod"), (bad_occ, "okänd sysselsättning"),
                          (bad_group, "okänd målgrupp"), (bad_edu, "okänd utbildningsnivå"),
                          (bad_reduction, "reduction_in_work ska vara en andel mellan 0 och 1"),
                          (bad_kind, "kind ska vara real eller transfer"),
                          (both_empty, "stödkod, sysselsättning eller målgrupp måste anges"),
                          (bad_conf, "confidence ska vara high, medium eller low"),
                          (no_source, "källa saknas")):
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append(f"rad {i + 2}: {message}")
    duplicated = frame.duplicated(list(KEY_COLUMNS), keep=False)
    for i in np.flatnonzero(duplicated.to_numpy()):
        problems.append(f"rad {i + 2}: samma {', '.join(KEY_COLUMNS)} förekommer flera gånger")
    amounts = frame[list(AMOUNT_COLUMNS)].apply(
        lambda s: pd.to_numeric(s.str.replace(r"[\s\u00a0]", "", regex=True).str.replace(",", ".", regex=False)
                                .replace("", "0"), errors="coerce"))
    for i, column in zip(*np.nonzero(amounts.isna().to_numpy()), strict=True):
        problems.append(f"rad {i + 2}: {AMOUNT_COLUMNS[column]} är inte ett tal")
    price_year = pd.to_numeric(frame["price_year"], errors="coerce")
    for i in np.flatnonzero(price_year.isna().to_numpy()):
        problems.append(f"rad {i + 2}: price_year är inte ett år")
    return problems, reduction, amounts, price_year


def load_catalogue(report_year: int, path: Path | str | None = None,
                   prisbasbelopp: pd.DataFrame | None = None) -> Catalogue:
    """Read, check and index a catalogue file (the shipped one when ``path`` is empty)."""
    path = Path(path) if path else default_catalogue_file()
    raw = path.read_bytes()
    if not raw.removeprefix(codecs.BOM_UTF8).strip():
        # pandas' own line names neither the file nor what is wrong with it.
        raise RunFileError(f"katalogfilen {path.name} är tom; en katalog behöver en rubrikrad och rader (lämna "
                           "katalogen ogiven för den medföljande)")
    frame = _read_rows(raw)
    if path != default_catalogue_file() and is_override(frame):
        frame = apply_catalogue_override(frame, raw, path.name)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise RunFileError(f"{path.name}: kolumner saknas: {', '.join(missing)}")
    frame = frame[(frame[list(REQUIRED_COLUMNS)] != "").any(axis=1)].reset_index(drop=True)
    if frame.empty:  # every unit cost would be zero, and every ledger with them
        raise RunFileError(f"katalogfilen {path.name} har bara rubrikraden och inga rader med enhetskostnader")
    for column in ("kind", "target_group", "education_level", "item", "reduction_in_work"):
        if column not in frame.columns:
            frame[column] = ""
    for column in ("support_code", "occupation", "confidence", "kind", "target_group", "education_level", "item"):
        frame[column] = frame[column].str.strip().str.lower()
    frame["kind"] = frame["kind"].replace("", "transfer")
    problems, reduction, amounts, price_year = _row_problems(frame)
    if problems:
        raise RunFileError([f"{path.name}: {problem}" for problem in problems])
    series = prisbasbelopp if prisbasbelopp is not None else load_prisbasbelopp()
    factors, note = price_factors(price_year.astype("int64"), report_year, series)
    indexed = amounts.to_numpy(dtype="float64") * factors[:, None]
    costs = indexed.copy()
    costs[:, PRODUCTION_INDEX] = 0.0 - costs[:, PRODUCTION_INDEX]  # a gain is a negative cost; avoids -0
    real = np.where((frame["kind"] == "real").to_numpy()[:, None], costs, 0.0)
    real[:, PRODUCTION_INDEX] = costs[:, PRODUCTION_INDEX]
    rows = frame.copy()
    rows["price_year"] = price_year.astype("int64")
    rows["reduction_in_work"] = reduction.to_numpy(dtype="float64")
    rows["price_factor"] = factors
    for j, column in enumerate(AMOUNT_COLUMNS):
        rows[f"{column}_{report_year}"] = indexed[:, j]
    versions = sorted(set(frame["version"])) if "version" in frame.columns else []
    label = versions[0] if len(versions) == 1 else ("/".join(versions) if versions else "utan version")
    version = f"{label} ({path.name} {hashlib.sha256(raw).hexdigest()[:8]})"
    return Catalogue(rows=rows, costs=costs, real=real, version=version, report_year=report_year, note=note)
