"""Synthetic inboxes: realistic, deterministic for a seed, at any scale.

The generator draws förbund with Swedish-looking names, projects of both
orientations with costs by financier, participant episodes with plausible
support codes, transitions, durations, exit reasons and follow-ups, and project
events of every kind. Each project has a hidden "quality" that drives how many
of its participants reach work or studies and how long that lasts, so every
success level occurs in a large enough inbox.

With ``with_errors`` a documented share of rows is spoiled in many ways (see
``ERROR_KINDS``); every spoiled row is listed in ``_injected_errors.csv`` beside
the data so tests and stewards can check that each one is caught.

One module per concern: ``vocabulary`` (the spec, names and codes), ``projects``
(förbund, projects, project years, costs), ``participants``, ``events`` (events,
evidence chains, assessments), ``errors`` (injection and its log) and ``inbox``
(the files). The datasets share one generator in a fixed order, so the order of
the calls in :func:`synthesise` is part of what a seed means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.synth.errors import (
    ERROR_KINDS,
    ERROR_LOG_COLUMNS,
    ERROR_SHARE,
    INJECTED_ERRORS_FILE,
    fake_personal_number,
    spoil,
)
from samverkan.synth.events import draw_assessments, draw_events, evidence_chains
from samverkan.synth.inbox import write_inbox
from samverkan.synth.participants import draw_participants
from samverkan.synth.projects import HIDDEN_COLUMNS, draw_costs, draw_projects, project_years
from samverkan.synth.vocabulary import SUPPORT_BEFORE, SynthSpec

__all__ = [
    "ERROR_KINDS",
    "ERROR_SHARE",
    "INJECTED_ERRORS_FILE",
    "SUPPORT_BEFORE",
    "SynthSpec",
    "fake_personal_number",
    "synthesise",
    "write_inbox",
]


def synthesise(spec: SynthSpec) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The five datasets as text frames in contract column order, and the injected-error log."""
    rng = np.random.default_rng(spec.seed)
    projects = draw_projects(rng, spec)
    years = project_years(projects, spec)
    frames = {
        "projects": projects,
        "project_costs": draw_costs(rng, years),
        "participants": draw_participants(rng, projects, years, spec),
        "project_events": draw_events(rng, projects, spec),
        "project_assessments": draw_assessments(np.random.default_rng(spec.seed + 1), projects, years),
    }
    chains = evidence_chains(np.random.default_rng(spec.seed + 2), projects, spec)
    frames["project_events"] = pd.concat([frames["project_events"], chains], ignore_index=True)
    frames["projects"] = projects.drop(columns=HIDDEN_COLUMNS)
    errors = spoil(rng, frames) if spec.with_errors else pd.DataFrame(columns=ERROR_LOG_COLUMNS)
    return frames, errors
