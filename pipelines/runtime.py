"""How the executor's forkserver prepares the process every step process is forked from (``pipelines.warm``).

Everything here tunes a process, none of it changes an output, and nothing else calls it: ``reports`` renders the
same in any process, only slower in one that was not prepared.

- the resolved job: every step process would otherwise build the repository's asset graph itself;
- the shipped demo report rendered once, in memory: the template compiled, the stylesheet parsed, the fonts
  registered and WeasyPrint's and Pango's caches filled before any step needs them;
- the preloaded heap (Dagster, pandas, Great Expectations, WeasyPrint) moved to the collector's permanent
  generation, and the young generation allowed to grow before a collection: WeasyPrint's layout allocates
  hundreds of thousands of short-lived objects, and with the default thresholds every few hundred of them
  started a collection that traversed the older generations. A forked step inherits both settings and ends
  soon after its work, so neither is restored.

benchmarks/README.md has what each of these saves.
"""

from __future__ import annotations

import gc

# Young-generation threshold while a forked step runs; the older generations keep their usual ratios to it.
STEP_COLLECTOR_THRESHOLDS = (100_000, 50, 100)


def resolve_job() -> None:
    from pipelines.run import samverkansbokslut_job_def

    samverkansbokslut_job_def()


def render_demo_report() -> None:
    from reports.render import render_pdf
    from reports.sample import FORBUND, sample_inputs
    from samverkan.report import build_report_context

    render_pdf(build_report_context(sample_inputs(), FORBUND))


def prepare_forkserver() -> None:
    gc.set_threshold(*STEP_COLLECTOR_THRESHOLDS)  # for the warm-up render already, and for every fork
    resolve_job()
    render_demo_report()
    gc.freeze()  # what is loaded now is never traversed again, here or in a fork
