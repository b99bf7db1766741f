"""What a synthetic inbox is drawn from: the spec, and the names and codes that make it look Swedish."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SynthSpec:
    forbund: int = 3
    first_year: int = 2018
    last_year: int = 2025
    participants_per_year: int = 600
    seed: int = 2024
    with_errors: bool = False


PLACES = (
    "Norrdal", "Älvsby", "Sjöbo", "Björkvik", "Västerås-Mälardalen", "Gränna", "Skärgården", "Fjällbacka",
    "Östra Göinge", "Mittland", "Lövånger", "Höglandet", "Kustlandet", "Dalsland", "Vättern", "Siljan",
    "Torneå", "Bergslagen", "Söderslätt", "Ådalen", "Roslagen", "Finnskogen", "Österlen", "Klarälvdalen",
    "Tjust", "Vadsbo", "Njudung", "Medelpad", "Ljusnan", "Storsjön", "Vindelälven", "Kinda", "Ydre",
    "Mälarstrand", "Bohuskusten", "Sydnärke", "Norra Halland", "Västra Skaraborg", "Övre Norrland", "Gotland",
)
PROJECT_WORDS = (
    "Steg", "Vägen", "Bron", "Nya spår", "Språngbrädan", "Framåt", "Kompassen", "Navet", "Balans", "Resurs",
    "Startpunkt", "Hållbar väg", "Jobbverkstan", "Unga vuxna", "Hälsoslussen", "Motivationslyftet",
)
TARGET_GROUPS = (
    "Unga 16–29 utan sysselsättning", "Personer med långvarigt försörjningsstöd", "Nyanlända",
    "Sjukskrivna utan anställning", "Personer med psykisk ohälsa", "Personer med aktivitetsersättning",
)
# The contract's code for each of the words above (no draw of its own, so a seed gives the same inbox as before
# plus this column).
TARGET_GROUP_CODES = {
    "Unga 16–29 utan sysselsättning": "unga_vuxna", "Personer med långvarigt försörjningsstöd": "langtidsarbetslos",
    "Nyanlända": "nyanlanda", "Sjukskrivna utan anställning": "langtidssjuk", "Personer med psykisk ohälsa": "ovrig",
    "Personer med aktivitetsersättning": "langtidssjuk",
}
MEMBER_ORGS = ("af", "fk", "kommun", "region")

# (support_before, weight) — typical situations at enrolment.
SUPPORT_BEFORE = (
    ("forsorjningsstod", 0.26),
    ("forsorjningsstod|aktivitetsstod:50", 0.06),
    ("aktivitetsstod", 0.14),
    ("etableringsersattning", 0.08),
    ("sjukpenning", 0.10),
    ("sjukpenning:50|lon:50", 0.05),
    ("sjukersattning:50", 0.04),
    ("aktivitetsersattning", 0.08),
    ("a_kassa", 0.05),
    ("forsorjningsstod|sjukpenning:50", 0.05),
    ("ingen", 0.06),
    ("annan", 0.03),
)
