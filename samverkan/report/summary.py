"""The summary's opening in plain Swedish: three to five sentences made from the figures.

Which facts, in which order and in which words is decided here; how an amount or a share is written (rounded to
tkr or mnkr, Swedish per cent) is the formatting's (``reports.formatting.sentence``). A sentence is a tuple of
parts: text, :class:`Amount` (kronor, written rounded) and :class:`Share` (0–1). The order follows a board
member's questions: what did we put in, what came back and to whom, who carries a net cost, how sure is it, and
what did the projects reach. Exact kronor stay in the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from samverkan.report.ledger import BreakEven, LedgerRow, LedgerSection
from samverkan.report.projects import ProjectSection

NUMBER_WORDS = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
YEAR_WORDS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio")
SHORT_HORIZON, MEDIUM_HORIZON = 1, 5
# Break-even probabilities as words: at least this share of the simulations → the word.
CERTAINTY_WORDS = ((0.9, "nästan säkert"), (0.5, "troligen"), (0.0, "troligen inte"))
LEVEL_PHRASES = {
    "3": "nådde nivå 3 (systemet förändras)",
    "2": "nådde nivå 2 (organisationerna använder metoden)",
    "1": "nådde nivå 1 (insatsen lyckas)",
    "skenbar": "bedömdes som skenbar framgång (siffrorna ser bra ut men effekten håller inte vid granskning)",
    "0": "har ännu ingen påvisad framgång",
}


@dataclass(frozen=True)
class Amount:
    sek: float


@dataclass(frozen=True)
class Share:
    value: float


Part = str | Amount | Share


@dataclass(frozen=True)
class Summary:
    sentences: list[tuple[Part, ...]] = field(default_factory=list)


def count_words(n: int, singular: str, plural: str) -> str:
    """``1, "insats", "insatser"`` → ``"en insats"``; numbers above twelve in digits."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
    return f"{word} {singular if n == 1 else plural}"


def after_years(n: int) -> str:
    return f"efter {YEAR_WORDS[n] if 0 <= n < len(YEAR_WORDS) else n} år"


def listing(items: Sequence[tuple[Part, ...]]) -> tuple[Part, ...]:
    """Parts joined as Swedish lists them: ``a, b och c``."""
    out: list[Part] = []
    for i, item in enumerate(items):
        if i:
            out.append(" och " if i == len(items) - 1 else ", ")
        out.extend(item)
    return tuple(out)


def _invested(ledger: LedgerSection, year: int) -> tuple[Part, ...] | None:
    paying = [r for r in ledger.members if (r.investment_sek or 0) > 0]
    if not paying:
        return None
    total = sum(r.investment_sek or 0 for r in paying)
    return ("Medlemmarna satsade sammanlagt ", Amount(total), f" i förbundets insatser {year}: ",
            *listing([(r.actor, " ", Amount(r.investment_sek or 0)) for r in paying]), ".")


def horizons(years: list[int]) -> list[int]:
    """The short and the medium horizon the ledger has (one year and five, or its last if shorter)."""
    if not years:
        return []
    wanted = [SHORT_HORIZON, MEDIUM_HORIZON if MEDIUM_HORIZON in years else years[-1]]
    return sorted({y for y in wanted if y in years})


def _came_back(ledger: LedgerSection) -> tuple[Part, ...] | None:
    total = ledger.total
    if total is None:
        return None
    lead = "Effekterna – minskade kostnader och ökad produktion – är i dagens pengar värda "
    shown = horizons(ledger.years)
    if not shown:
        return (lead, Amount(total.effect_pv_sek or 0), ".")
    values = [(Amount(total.cumulative[ledger.years.index(y)] or 0), " ", after_years(y)) for y in shown]
    last = ledger.years.index(shown[-1])
    gaining = sorted((r for r in ledger.members if (r.cumulative[last] or 0) > 0),
                     key=lambda r: -(r.cumulative[last] or 0))[:2]
    parts: list[Part] = [lead, *listing(values)]
    if gaining:
        parts += ["; mest får ", *listing([(r.actor, " (", Amount(r.cumulative[last] or 0), ")") for r in gaining])]
    return (*parts, ".")


def _net_cost(ledger: LedgerSection) -> tuple[Part, ...] | None:
    if not ledger.members:
        return None
    losers: list[LedgerRow] = [r for r in ledger.members if (r.net_sek or 0) < 0]
    if not losers:
        return ("Ingen medlem bär en nettokostnad: var och en får tillbaka minst lika mycket som den satsade.",)
    if len(losers) == 1:
        return (losers[0].actor, " bär en nettokostnad på ", Amount(-(losers[0].net_sek or 0)),
                ": den satsar mer än den får tillbaka under kalkylperioden.")
    named = listing([(r.actor, " (", Amount(-(r.net_sek or 0)), ")") for r in losers])
    return (*named, " bär nettokostnader: de satsar mer än de får tillbaka under kalkylperioden.")


def _how_sure(break_even: list[BreakEven]) -> tuple[Part, ...] | None:
    known = sorted((b for b in break_even if b.p_break_even is not None), key=lambda b: -(b.p_break_even or 0))
    if not known:
        return None
    groups: list[tuple[Part, ...]] = []
    upper = None
    for low, word in CERTAINTY_WORDS:
        members = [b for b in known if b.p_break_even >= low and (upper is None or b.p_break_even < upper)]
        if members:
            groups.append((*listing([(b.actor, " (", Share(b.p_break_even), ")") for b in members]), f" {word}"))
        upper = low
    return ("I simuleringarna av osäkerheten går ", *listing(groups),
            " jämnt ut (andelen simuleringar där medlemmen får tillbaka minst vad den satsade).")


def _levels(projects: list[ProjectSection]) -> tuple[Part, ...] | None:
    judged = [p for p in projects if p.level in LEVEL_PHRASES]
    if not judged:
        return None
    if len(judged) == 1:
        return (f"Förbundets enda bedömda insats {LEVEL_PHRASES[str(judged[0].level)]}.",)
    counts = [(code, sum(p.level == code for p in judged)) for code in LEVEL_PHRASES]
    phrases = [(f"{NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else n} {LEVEL_PHRASES[code]}",)
               for code, n in counts if n]
    return (f"Förbundets {count_words(len(judged), 'bedömda insats', 'bedömda insatser')}: ",
            *listing(phrases), ".")


def summary(ledger: LedgerSection, projects: list[ProjectSection], year: int) -> Summary:
    """Three to five sentences, each left out when its figures are missing."""
    candidates = [_invested(ledger, year), _came_back(ledger), _net_cost(ledger), _how_sure(ledger.break_even),
                  _levels(projects)]
    return Summary([s for s in candidates if s])
