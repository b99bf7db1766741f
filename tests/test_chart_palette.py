"""Chart series are told apart by more than colour, and the palette is checked under colour-vision deficiency.

The simulation is Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
Vision Deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied in linear RGB; distances are CIE76 ΔE in
CIELAB (D65). The thresholds are ours: ΔE ≥ 20 reads as clearly different colours on paper, below 10 as
confusable.
"""

from __future__ import annotations

import itertools
import re

import pytest

from reports.charts import DASHES, MARKERS, PALETTE, Series, line_chart

MACHADO = {
    "protanopi": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopi": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopi": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
NORMAL = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
ACTORS = ("Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region", "Rättsväsende", "Övriga",
          "Produktionsvärde", "Summa")


def _linear(hex_colour: str) -> tuple[float, ...]:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(hex_colour: str, matrix) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    return _lab(tuple(sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix))


def _delta_e(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


@pytest.mark.parametrize("vision", ["normal", *MACHADO])
def test_every_pair_of_series_differs_in_colour_or_in_shape_and_dash(vision):
    matrix = NORMAL if vision == "normal" else MACHADO[vision]
    close = []
    for i, j in itertools.combinations(range(len(PALETTE)), 2):
        distance = _delta_e(_seen(PALETTE[i], matrix), _seen(PALETTE[j], matrix))
        if distance < 20:
            close.append((i, j))
            assert MARKERS[i] != MARKERS[j] and DASHES[i] != DASHES[j], (vision, PALETTE[i], PALETTE[j], distance)
    if vision == "normal":
        assert not close  # with full colour vision every pair is clearly different
    # The first four series (the members, drawn together in most charts) stay apart by colour alone, too.
    assert not [(i, j) for i, j in close if i < 4 and j < 4 and
                _delta_e(_seen(PALETTE[i], matrix), _seen(PALETTE[j], matrix)) < 10]


def test_markers_and_dashes_are_all_different():
    assert len(set(MARKERS)) == len(MARKERS) == len(PALETTE)
    assert len(set(DASHES)) == len(DASHES) == len(PALETTE)


def test_the_eight_series_line_chart_draws_a_shape_and_a_dash_of_its_own_per_series():
    series = [Series(name, [float(i), float(i + 1), float(i + 2)]) for i, name in enumerate(ACTORS)]
    svg = line_chart("Kumulerat nuvärde", ["1", "2", "3"], series).svg
    dashes = re.findall(r'<polyline [^>]*?(?:stroke-dasharray="([^"]+)")?/>', svg)
    assert sorted(dashes) == sorted(DASHES)
    for tag in ("circle", "rect", "polygon", "path"):
        assert f"<{tag} " in svg
    # Legend: a sample line with the marker beside each name, the names as text.
    for name in ACTORS:
        assert f">{name}</text>" in svg
