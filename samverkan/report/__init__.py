"""From the computed tables to what the annual report shows, for one förbund and year.

Every number the report prints is computed (or picked) here; the templates only format. One module per
section of the report (``summary``, ``flow``, ``breakdowns``, ``destinations``, ``benchmarks``, ``ledger``,
``projects``, ``dimensions``, ``quality``, ``method``), each with frozen dataclasses naming the fields a template
can use; ``labels`` holds the Swedish words for the data's codes, ``inputs`` the tables a report is made from and
their provenance, ``aggregates`` the outcome counts of every förbund that the inputs carry instead of participant
rows, ``extracts`` the same chapters as published CSV, and ``context`` puts it together
(:func:`build_report_context`, the one entry point).

Privacy: counts of people from 1 to 4, and shares computed from them, are replaced by ``None`` with
``suppressed`` set (shown as "–" with a footnote).
"""

from samverkan.report.context import ReportContext, build_report_context, slugify
from samverkan.report.inputs import ReportInputs, input_files_table, latest_data_date

__all__ = ["ReportContext", "ReportInputs", "build_report_context", "input_files_table", "latest_data_date",
           "slugify"]
