"""Imported by the executor's forkserver (pipelines.jobs.PRELOAD) so every step process it forks starts
with the report template already compiled, instead of compiling it again for each förbund."""

from reports.render import report_template

report_template()
