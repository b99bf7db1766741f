"""Imported last by the executor's forkserver (``pipelines.preload.PRELOAD``): work every step process would
otherwise repeat is done once, before the forkserver forks them.

- the resolved job (building the repository's asset graph costs ~0.05 s per step);
- the shipped demo report, rendered once in memory: the template compiled (~0.15 s per render step), fonts
  loaded, WeasyPrint's and Pango's caches filled (~0.15-0.2 s less per render step for ~1.5 s once);
- ``freeze_heap()``: the preloaded heap (Dagster, pandas, Great Expectations, WeasyPrint) moves to the
  collector's permanent generation, so the collections a step triggers traverse only what the step itself
  allocates. This is the forkserver's own heap; the run process is unaffected.
"""

from pipelines.run import samverkansbokslut_job_def
from reports.render import freeze_heap, warm_up

samverkansbokslut_job_def()
warm_up()
freeze_heap()
