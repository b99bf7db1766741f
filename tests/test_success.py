"""Success levels on hand-made projects: one per level and the borderline case of every threshold.

Default rules (samverkan/data/success_rules.yaml) with p0 from parameters.yaml: 18 %,
at least 20 counted exits, lower bound of a two-sided 90 % Wilson interval
strictly above the reference, follow-up judged from 10 followed, at least 50 %
kept. Hand-computed Wilson 90 % lower bounds used below (z = 1.644854):
10/20 -> 0.3274, 10/19 -> 0.3467, 6/25 -> 0.1295, 20/40 -> 0.3741, 6/40 -> 0.0796.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from samverkan.ledger.parameters import load_parameters
from samverkan.success import (
    DEFAULT_RULES_FILE,
    SUCCESS_COLUMNS,
    RulesError,
    classify,
    level_counts,
    level_problems,
    load_rules,
    parse_rules,
    wilson_interval,
)
from samverkan.success.evidence import member_of

YEAR = 2024
RULES = load_rules()


def project(pid: str, start: str = "2022-01-01", end: str | None = None, orientation: str = "individinriktad",
            target: float | None = None, forbund: str = "Förbund A") -> dict:
    return {"project_id": pid, "forbund": forbund, "name": pid, "start_date": start, "end_date": end,
            "orientation": orientation, "target_share_work_or_studies": target}


def exits(pid: str, n: int, worked: int, exited: str = "2024-06-30", enrolled: str = "2024-01-15",
          followed: int = 0, kept: int = 0, reason: str | None = None) -> list[dict]:
    """``n`` exits, the first ``worked`` to work; the first ``followed`` followed up, ``kept`` still working."""
    rows = []
    for i in range(n):
        to_work = i < worked
        follow = None
        if to_work and i < followed:
            follow = "arbete" if i < kept else "arbetssokande"
        rows.append({"participant_id": f"{pid}-{i}", "project_id": pid, "enrolled_on": enrolled, "exited_on": exited,
                     "exit_reason": reason or ("arbete" if to_work else "arbetssokande"),
                     "occupation_after": "arbete" if to_work else "arbetssokande", "occupation_12m": follow})
    return rows


def event(pid: str, date: str, kind: str, organisation: str, reference: str = "dnr 1") -> dict:
    return {"project_id": pid, "date": date, "kind": kind, "organisation": organisation, "reference": reference}


def frames(projects: list[dict], people: list[dict], events: list[dict]) -> tuple[pd.DataFrame, ...]:
    p = pd.DataFrame(projects)
    for c in ("start_date", "end_date"):
        p[c] = pd.to_datetime(p[c]).astype("datetime64[s]")
    p["target_share_work_or_studies"] = p["target_share_work_or_studies"].astype("Float64")
    people_columns = ["participant_id", "project_id", "enrolled_on", "exited_on", "exit_reason", "occupation_after",
                      "occupation_12m"]
    q = pd.DataFrame(people, columns=people_columns)
    for c in ("enrolled_on", "exited_on"):
        q[c] = pd.to_datetime(q[c]).astype("datetime64[s]")
    for c in ("exit_reason", "occupation_after", "occupation_12m", "project_id"):
        q[c] = q[c].astype("str")
    e = pd.DataFrame(events, columns=["project_id", "date", "kind", "organisation", "reference"])
    e["date"] = pd.to_datetime(e["date"]).astype("datetime64[s]")
    return p, q, e


def run(projects: list[dict], people: list[dict], events: list[dict], year: int = YEAR, rules=RULES) -> pd.DataFrame:
    return classify(*frames(projects, people, events), year, rules).set_index("project_id")


METHOD = ("2023-03-01", "method_documented", "samordningsforbund")

# (project id, project kwargs, exits kwargs or None, events, expected level)
CASES = [
    ("L0-poor-share", {}, {"n": 25, "worked": 2}, [], "0"),
    ("L0-no-exits", {}, None, [], "0"),
    ("SK-not-significant", {}, {"n": 25, "worked": 6}, [], "skenbar"),
    ("SK-n-just-under", {}, {"n": 19, "worked": 10}, [], "skenbar"),
    ("L1-n-exactly-min", {}, {"n": 20, "worked": 10}, [], "1"),
    ("L1-outcome", {}, {"n": 40, "worked": 20}, [], "1"),
    ("L1-method-structural", {"orientation": "strukturovergripande"}, None, [METHOD], "1"),
    ("L2", {}, None, [METHOD, ("2024-02-01", "implementation_decision", "Umeå kommun")], "2"),
    ("L1-decision-by-non-member", {}, None,
     [METHOD, ("2024-02-01", "implementation_decision", "Stiftelsen Arbetsbron")], "1"),
    ("L1-decision-by-forbund", {}, None,
     [METHOD, ("2024-02-01", "implementation_decision", "Samordningsförbundet Norrdal")], "1"),
    ("L3-change-on-31-dec", {}, None,
     [METHOD, ("2024-02-01", "implementation_decision", "af"), ("2023-06-01", "system_finding", "samordningsforbund"),
      ("2024-12-31", "system_change_decision", "Regeringen")], "3"),
    ("L2-change-on-1-jan", {}, None,
     [METHOD, ("2024-02-01", "implementation_decision", "af"), ("2023-06-01", "system_finding", "samordningsforbund"),
      ("2025-01-01", "system_change_decision", "Regeringen")], "2"),
    ("L2-no-finding", {}, None,
     [METHOD, ("2024-02-01", "implementation_decision", "Region Norrdal"),
      ("2024-06-01", "system_change_decision", "Regeringen")], "2"),
    ("L0-method-after-year", {}, None, [("2025-01-01", "method_documented", "samordningsforbund")], "0"),
    ("L0-method-before-start", {"start": "2023-06-01"}, None, [METHOD], "0"),
    ("SK-at-own-target", {"target": 0.15}, {"n": 40, "worked": 6}, [], "skenbar"),
    ("L0-under-own-target", {"target": 0.16}, {"n": 40, "worked": 6}, [], "0"),
    # Follow-up: exits in 2023 can be followed up by 31 Dec 2024.
    ("SK-gains-gone", {}, {"n": 40, "worked": 20, "exited": "2023-06-30", "enrolled": "2023-01-15",
                           "followed": 10, "kept": 4}, [], "skenbar"),
    ("L1-retention-exactly-at-limit", {}, {"n": 40, "worked": 20, "exited": "2023-06-30", "enrolled": "2023-01-15",
                                           "followed": 10, "kept": 5}, [], "1"),
    ("L1-too-few-followed", {}, {"n": 40, "worked": 20, "exited": "2023-06-30", "enrolled": "2023-01-15",
                                 "followed": 9, "kept": 0}, [], "1"),
    # A follow-up of a 2024 exit has not happened by 31 Dec 2024 and is ignored.
    ("L1-follow-up-not-due", {}, {"n": 40, "worked": 20, "followed": 20, "kept": 0}, [], "1"),
    ("L1-method-and-apparent-outcome", {}, {"n": 25, "worked": 6}, [METHOD], "1"),
    ("L2-with-apparent-outcome", {}, {"n": 25, "worked": 6},
     [METHOD, ("2024-02-01", "implementation_decision", "Försäkringskassan")], "2"),
]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    projects, people, events = [], [], []
    for pid, kwargs, exit_kwargs, evs, _ in CASES:
        projects.append(project(pid, **kwargs))
        if exit_kwargs:
            people += exits(pid, **exit_kwargs)
        events += [event(pid, *e) for e in evs]
    return run(projects, people, events)


@pytest.mark.parametrize(("pid", "expected"), [(c[0], c[4]) for c in CASES])
def test_hand_made_projects(table: pd.DataFrame, pid: str, expected: str) -> None:
    assert table.loc[pid, "level"] == expected, table.loc[pid, "reasons"]


def test_every_level_is_in_the_table(table: pd.DataFrame) -> None:
    assert set(table["level"]) == {"0", "skenbar", "1", "2", "3"}
    counts = level_counts(table.reset_index())
    assert counts["projects"].sum() == len(CASES)
    assert counts["level"].tolist() == ["0", "skenbar", "1", "2", "3"]


def test_output_columns_and_labels(table: pd.DataFrame) -> None:
    out = table.reset_index()
    assert out[SUCCESS_COLUMNS].columns.tolist() == [
        "forbund", "project_id", "year", "level", "label", "reasons", "attributable", "attributable_text",
        "participant_effect_established", "not_established_reason", "cost_shifting", "effect_af_sek",
        "effect_fk_sek", "effect_kommun_sek", "effect_region_sek"]
    assert (out["year"] == YEAR).all() and (out["rules_version"] == "2026.2").all()
    assert table.loc["L3-change-on-31-dec", "label"] == "Nivå 3 – systemet förändras"
    assert table.loc["SK-gains-gone", "label"] == "Skenbar framgång"
    assert table.loc["L0-no-exits", "label"] == "Ingen påvisad framgång"


def test_wilson_interval_hand_computed() -> None:
    low, high = wilson_interval([10, 6, 0], [20, 25, 0], 0.90)
    assert low[0] == pytest.approx(0.327404, abs=1e-6) and high[0] == pytest.approx(0.672596, abs=1e-6)
    assert low[1] == pytest.approx(0.129535, abs=1e-6)
    assert pd.isna(low[2]) and pd.isna(high[2])


def test_reasons_name_the_evidence(table: pd.DataFrame) -> None:
    r = table.loc["L1-outcome", "reasons"]
    assert "20 av 40 avslutade deltagare t.o.m. 2024-12-31 gick till arbete eller studier" in r
    assert "50,0 %, 90 % Wilson-intervall 37,4 %–62,6 %" in r
    assert "Nedre gränsen 37,4 % ligger över det kontrafaktiska utfallet p0 = 18,0 %" in r
    # 20 of 40 to work, p0 = 18 %: 20 − 0.18 × 40 = 12.8, shown as 13.
    assert ("Av 20 som gick till arbete eller studier räknas 13 som effekt av insatsen (20 − 18,0 % av 40 avslut "
            "som hade nått arbete eller studier ändå)") in r
    r = table.loc["L3-change-on-31-dec", "reasons"]
    assert "Beslut om systemförändring 2024-12-31 av Regeringen (dnr 1)" in r
    assert "Genomförandebeslut 2024-02-01 av Arbetsförmedlingen" in r
    r = table.loc["L2-change-on-1-jan", "reasons"]
    assert "1 händelse daterad efter 2024-12-31 räknas inte detta år" in r
    assert "För nivå 3 saknas ett beslut som ändrar regler" in r
    r = table.loc["L1-decision-by-non-member", "reasons"]
    assert ("Genomförandebeslut 2024-02-01 av Stiftelsen Arbetsbron (dnr 1) räknas inte: "
            "inte en medlemsorganisation") in r
    r = table.loc["SK-gains-gone", "reasons"]
    assert "Efter 12 månader hade färre än 5 av 10 uppföljda kvar arbete eller studier, under gränsen 50,0 %" in r
    assert r.startswith("Skenbar framgång: andelen i arbete eller studier når det kontrafaktiska utfallet p0, men "
                        "vinsterna är till största delen borta")
    assert "för få deltagare för att avgöra" in table.loc["SK-n-just-under", "reasons"]
    assert "inte säkerställt positiv" in table.loc["SK-not-significant", "reasons"]
    assert "når insatsens mål 15,0 %" in table.loc["SK-at-own-target", "reasons"]
    assert "Obs: andelen når det kontrafaktiska utfallet p0" in table.loc["L1-method-and-apparent-outcome", "reasons"]
    assert "Strukturövergripande insats utan avslutade deltagare" in table.loc["L1-method-structural", "reasons"]
    assert "före insatsens start 2023-06-01 räknas inte" in table.loc["L0-method-before-start", "reasons"]
    for reasons in table["reasons"]:
        assert ";;" not in reasons and not reasons.endswith(";")


def test_small_counts_are_not_published() -> None:
    out = run([project("P")], exits("P", 4, 3), [])
    reasons = out.loc["P", "reasons"]
    assert "Färre än 5 avslutade deltagare" in reasons and "3 av 4" not in reasons and "75" not in reasons
    assert out.loc["P", "level"] == "skenbar"
    assert out.loc["P", "exits"] == 4  # the stored frame keeps the real count for the report stage


def test_as_of_31_december() -> None:
    people = (exits("P", 10, 10, exited="2024-12-31") + exits("Q", 10, 10, exited="2025-01-01")
              + exits("R", 10, 10, enrolled="2025-01-10", exited="2025-02-01") + exits("S", 10, 0, exited="2024-03-01"))
    for row in people:
        row["participant_id"] += "x"
        row["project_id"] = "P"
    mis = exits("P", 5, 5, exited="2024-05-01", reason="felregistrering")
    out = run([project("P")], people + mis, [])
    # Only the 10 exits on 31 December and the 10 in March count; later ones and felregistrering do not.
    assert out.loc["P", "exits"] == 20 and out.loc["P", "to_work_or_studies"] == 10
    assert out.loc["P", "level"] == "1"


def test_reference_exactly_at_the_lower_bound_is_not_above() -> None:
    low = [float(wilson_interval([10], [20], 0.90)[0][0])]
    text = DEFAULT_RULES_FILE.read_text(encoding="utf-8")
    base = load_parameters()
    at = parse_rules(text, parameters=replace(base, p0=replace(base.p0, value=low[0])))
    below = parse_rules(text, parameters=replace(base, p0=replace(base.p0, value=low[0] - 1e-9)))
    assert at.reference == low[0]
    case = ([project("P")], exits("P", 20, 10), [])
    assert run(*case, rules=at).loc["P", "level"] == "skenbar"
    assert run(*case, rules=below).loc["P", "level"] == "1"


def test_rules_file_override_changes_the_result(tmp_path: Path) -> None:
    text = DEFAULT_RULES_FILE.read_text(encoding="utf-8")
    strict = (text.replace('version: "2026.2"', 'version: "test-strikt"')
              .replace("min_exits: 20", "min_exits: 50")
              .replace('replaces_levels: ["0"]', 'replaces_levels: ["0", "1"]'))
    path = tmp_path / "strikt.yaml"
    path.write_text(strict, encoding="utf-8")
    rules = load_rules(path)
    case = ([project("A"), project("B")], exits("A", 40, 20) + exits("B", 25, 6),
            [event("B", *METHOD)])
    default = run(*case)
    changed = run(*case, rules=rules)
    assert default["level"].to_dict() == {"A": "1", "B": "1"}
    assert changed["level"].to_dict() == {"A": "skenbar", "B": "skenbar"}
    # The file's own version, then the file's hash: two files saying the same version stay apart.
    assert changed["rules_version"].str.fullmatch(r"test-strikt\+[0-9a-f]{8}").all()
    assert "de 50 som krävs" in changed.loc["A", "reasons"]


def test_same_inputs_and_rules_give_the_same_result() -> None:
    projects = [project(c[0], **c[1]) for c in CASES]
    people = [r for c in CASES if c[2] for r in exits(c[0], **c[2])]
    events = [event(c[0], *e) for c in CASES for e in c[3]]
    first = classify(*frames(projects, people, events), YEAR, RULES)
    p, q, e = frames(projects[::-1], people[::-1], events[::-1])
    second = classify(p, q, e, YEAR, load_rules(DEFAULT_RULES_FILE))
    pd.testing.assert_frame_equal(first, second)


def test_which_projects_are_assessed() -> None:
    out = run([project("later", start="2025-01-01"), project("old", start="2010-01-01", end="2013-12-31"),
               project("recent", start="2010-01-01", end="2014-06-30"), project("now", start="2024-12-31")], [], [])
    assert sorted(out.index) == ["now", "recent"]


def test_member_names() -> None:
    names = pd.Series(["af", " Arbetsförmedlingen ", "FK", "Umeå kommun", "Göteborgs stad", "Region Norrdal",
                       "Västra Götalandsregionen", "kommunen", "Samordningsförbundet Umeå kommun", "ESF-rådet",
                       "Stiftelsen Arbetsbron", "", None])
    assert member_of(names, RULES).tolist()[:8] == ["af", "af", "fk", "kommun", "kommun", "region", "region",
                                                    "kommun"]
    assert member_of(names, RULES).iloc[8:].isna().all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  min_exits: 20\n", ""), "nyckeln outcome.min_exits saknas"),
        (("min_exits: 20", "min_exits: tjugo"), "outcome.min_exits: ska vara ett heltal"),
        (("parameter: counterfactual.work_or_studies", "parameter: deadweight"),
         "counterfactual.parameter ska vara counterfactual.work_or_studies"),
        (("confidence: 0.90", "confidence: 1.0"), "outcome.confidence"),
        (("test: wilson", "test: wald"), "outcome.test: ska vara ett av wilson"),
        (('replaces_levels: ["0"]', 'replaces_levels: ["2"]'), "apparent_success.replaces_levels"),
        (('version: "2026.2"', 'version: ""'), "version: ska vara en icke-tom text"),
        (('version: "2026.2"', 'version: 2026.10'), "inom citattecken"),
        (("min_retention: 0.5", "min_retention: 0.5\n  min_retension: 0.6"), "okänd nyckel follow_up.min_retension"),
        (("'^region\\b'", "'^region(\\b'"), "ogiltigt reguljärt uttryck"),
    ],
)
def test_invalid_rules_are_refused_with_the_key(change: tuple[str, str], message: str) -> None:
    text = DEFAULT_RULES_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(RulesError, match=message.replace("(", r"\(")):
        parse_rules(text.replace(change[0], change[1], 1), "test.yaml")


def test_missing_or_broken_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="finns inte"):
        load_rules(tmp_path / "saknas.yaml")
    (tmp_path / "trasig.yaml").write_text("version: [1,\n", encoding="utf-8")
    with pytest.raises(RulesError, match="inte giltig YAML"):
        load_rules(tmp_path / "trasig.yaml")


def test_rules_parameters_extract() -> None:
    params = RULES.parameters().set_index("parameter")
    assert params.loc["rules_version", "value"] == "2026.2"
    assert params.loc["counterfactual (p0)", "value"] == "0.18"
    assert "Källa: parameterfilen counterfactual.work_or_studies" in params.loc["counterfactual (p0)", "basis"]
    assert params.loc["outcome.min_exits", "value"] == "20"


def test_empty_inputs_give_empty_or_level_0() -> None:
    none = run([project("P")], [], [])
    assert none.loc["P", "level"] == "0" and none.loc["P", "exits"] == 0
    p, q, e = frames([project("P")], [], [])
    assert classify(p.iloc[0:0], q, e, YEAR, RULES).empty


def test_level_problems_finds_missing_duplicate_and_unknown() -> None:
    p, q, e = frames([project("P"), project("Q")], exits("P", 20, 10), [])
    good = classify(p, q, e, YEAR, RULES)
    assert level_problems(good, p, YEAR, RULES) == []
    bad = pd.concat([good, good.iloc[[0]]], ignore_index=True)
    bad = bad[bad["project_id"] != "Q"].assign(level=["1", "4"])
    found = level_problems(bad, p, YEAR, RULES)
    assert found == ["flera nivåer för P", "ingen nivå för Q", "okända nivåer 4"]


def test_attributable_successes_in_words() -> None:
    # The example: 25 of 50 to work, p0 = 18 %: 25 − 9 = 16 count as the effort's effect.
    out = run([project("P")], exits("P", 50, 25), [])
    assert out.loc["P", "attributable"] == 16.0
    assert out.loc["P", "attributable_text"].startswith(
        "Av 25 som gick till arbete eller studier räknas 16 som effekt av insatsen")
    assert "räknas 16 som effekt av insatsen" in out.loc["P", "reasons"]
    # At p0 exactly nothing is attributable; under it neither (never negative).
    at = run([project("Q")], exits("Q", 50, 9), [])
    assert at.loc["Q", "attributable"] == 0.0 and "räknas 0 som effekt" in at.loc["Q", "attributable_text"]
    # Counts under 5 are not published, so neither is what follows from them.
    small = run([project("R")], exits("R", 30, 3), [])
    assert "redovisas inte" in small.loc["R", "attributable_text"] and "3 " not in small.loc["R", "attributable_text"]


def test_p0_per_target_group_comes_from_the_parameters_file() -> None:
    base = load_parameters()
    parameters = replace(base, p0_by_target_group={"nyanlanda": 0.40})
    rules = parse_rules(DEFAULT_RULES_FILE.read_text(encoding="utf-8"), parameters=parameters)
    projects = [project("A"), project("B")]
    p, q, e = frames(projects, exits("A", 40, 20) + exits("B", 40, 20), [])
    p["target_group"] = ["nyanlanda", "langtidsarbetslosa"]
    out = classify(p, q, e, YEAR, rules).set_index("project_id")
    # 20 of 40 (Wilson lower bound 37.4 %) is beyond 18 % but not beyond 40 %.
    assert out.loc["A", "reference"] == 0.40 and out.loc["B", "reference"] == 0.18
    assert out.loc["A", "level"] == "skenbar" and out.loc["B", "level"] == "1"
    assert out.loc["A", "attributable"] == 4.0 and out.loc["B", "attributable"] == 12.8


def test_participant_effect_not_established_has_a_reason(table: pd.DataFrame) -> None:
    assert table.loc["L1-outcome", "participant_effect_established"]
    assert table.loc["L1-outcome", "not_established_reason"] == ""
    assert not table.loc["SK-n-just-under", "participant_effect_established"]
    assert table.loc["SK-n-just-under", "not_established_reason"] == (
        "för få avslut för att avgöra (19, minst 20 krävs)")
    assert table.loc["SK-not-significant", "not_established_reason"] == (
        "skenbar framgång: andelen i arbete eller studier ligger inte säkert över det kontrafaktiska utfallet p0")
    assert table.loc["SK-gains-gone", "not_established_reason"] == (
        "vinsterna är till största delen borta vid uppföljningen efter 12 månader")
    # A method gives level 1, but the participants' effect is still not established.
    assert table.loc["L1-method-and-apparent-outcome", "level"] == "1"
    assert not table.loc["L1-method-and-apparent-outcome", "participant_effect_established"]


def test_cost_shifting_is_flagged_with_the_amounts_per_member() -> None:
    p, q, e = frames([project("S"), project("T"), project("U")], [], [])
    effects = pd.DataFrame({"project_id": ["S", "T", "U"],
                            "effect_af_sek": [0, 100, -5],
                            "effect_fk_sek": [-120_000, 50, -5],
                            "effect_kommun_sek": [75_045, 0, -5],
                            "effect_region_sek": [10_000, 0, 0]})
    out = classify(p, q, e, YEAR, RULES, effects).set_index("project_id")
    # S: Kommun and Region gain 85 045 while FK loses 120 000: the members' sum is −34 955 ≤ 0.
    assert out["cost_shifting"].to_dict() == {"S": True, "T": False, "U": False}
    assert out.loc["S", ["effect_af_sek", "effect_fk_sek", "effect_kommun_sek", "effect_region_sek"]].tolist() == [
        0, -120000, 75045, 10000]
    assert ("Kostnadsförskjutning mellan huvudmännen: Kommun och Region får en effekt, men medlemmarnas effekter "
            "summerar till −34 955 kr före investeringen (Arbetsförmedlingen 0 kr, Försäkringskassan −120 000 kr, "
            "Kommun 75 045 kr, Region 10 000 kr)") in out.loc["S", "reasons"]
    assert "Kostnadsförskjutning" not in out.loc["T", "reasons"]
    # Exactly zero in sum with a gainer is flagged too (≤ 0).
    even = effects.assign(effect_region_sek=[44_955, 0, 0])
    assert classify(p, q, e, YEAR, RULES, even).set_index("project_id").loc["S", "cost_shifting"]
    # Without the ledger's effects nothing is flagged and the amounts are empty.
    plain = classify(p, q, e, YEAR, RULES).set_index("project_id")
    assert not plain["cost_shifting"].any() and plain["effect_fk_sek"].isna().all()


def test_a_small_complement_is_not_given_away_by_the_reasons():
    """'9 av 11 gick till arbete' says that 2 did not: the counts are withheld when either side is small."""
    from samverkan.success.levels import _headline
    from samverkan.success.verdict import attributable_sentence

    row = {"exits": 11, "to_work_or_studies": 9, "share": 9 / 11, "ci_low": 0.5, "ci_high": 0.95,
           "reference": 0.18, "attributable": 7.02}
    assert "9" not in _headline(row, "t.o.m. 2024-12-31", "95 % Wilson-intervall")
    assert "redovisas inte" in attributable_sentence(row)
    row |= {"exits": 20, "to_work_or_studies": 9, "share": 0.45, "attributable": 5.4}
    assert _headline(row, "t.o.m. 2024-12-31", "95 % Wilson-intervall").startswith("9 av 20")
