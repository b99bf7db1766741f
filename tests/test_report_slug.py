"""Long and odd förbund names: slugs are capped with a short hash, and a 251-character name renders."""

from __future__ import annotations

import dataclasses
import hashlib
import os

import pandas as pd
import pytest

from reports.render import write_reports
from reports.sample import FORBUND, sample_inputs
from samverkan.report import slugify
from samverkan.report.context import MAX_SLUG_LENGTH

LONG = "Samordningsförbundet " + "Övre och nedre Älvdalens kommuner " * 7
LONG_NAME = LONG[:251]


def _digest(name: str) -> str:
    return hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:8]


def test_a_long_name_is_capped_with_a_hash_of_the_whole_name() -> None:
    assert len(LONG_NAME) == 251
    slug = slugify(LONG_NAME)
    assert len(slug) == MAX_SLUG_LENGTH == 60
    assert slug == "samordningsforbundet-ovre-och-nedre-alvdalens-kommu" + "-" + _digest(LONG_NAME)
    # Two names that only differ after the cap still get folders of their own.
    other = LONG_NAME[:-1] + "X"
    assert slugify(other) != slug and slugify(other)[:51] == slug[:51]


@pytest.mark.parametrize(("name", "slug"), [
    ("Finsam Väst", "finsam-vast"),
    ("", "forbund"),
    ("a" * 60, "a" * 60),
    ("a" * 61, "a" * 51 + "-" + _digest("a" * 61)),
    ("<<>>", "forbund-" + _digest("<<>>")),
    ("北京", "forbund-" + _digest("北京")),
])
def test_slugs_at_the_edges(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_a_251_character_forbund_renders(tmp_path) -> None:
    inputs = sample_inputs()
    renamed = {f.name: getattr(inputs, f.name).replace({FORBUND: LONG_NAME})
               for f in dataclasses.fields(inputs) if isinstance(getattr(inputs, f.name), pd.DataFrame)}
    [report] = write_reports(dataclasses.replace(inputs, **renamed), tmp_path, forbund=[LONG_NAME])
    slug = slugify(LONG_NAME)
    assert report.pdf == tmp_path / slug / f"samverkansbokslut-{slug}-2025.pdf"
    assert report.pdf.stat().st_size > 0 and report.pages > 1
    assert max(len(part.encode()) for part in report.pdf.relative_to(tmp_path).parts) < os.pathconf(tmp_path,
                                                                                                   "PC_NAME_MAX")


def test_a_personnummer_in_a_forbund_name_never_reaches_a_folder_name() -> None:
    from samverkan.privacy import contains_personal_number
    from samverkan.report import slugify

    for name in ("Förbund 850314-1234", "Förbund 850314 – 1234", "Förbund 19850314-1234" + "x" * 80):
        slug = slugify(name)
        assert not contains_personal_number(slug) and "1234" not in slug, slug
