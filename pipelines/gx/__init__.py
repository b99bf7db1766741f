"""Great Expectations glue, by job: ``suites`` (generated from the data contract and written by GX),
``validate`` (running a checkpoint and reading its result) and ``docs`` (Data Docs).

Importing this package does not import GX; the modules do that inside the functions that need it.
"""

from pipelines.gx.context import context_dir, data_docs_index
from pipelines.gx.docs import KEEP_RESULTS, build_data_docs, prune_results
from pipelines.gx.suites import context_files, expectations_for, sync_context, write_context
from pipelines.gx.validate import FailedExpectation, GxOutcome, disagreements, parameters_for, validate

__all__ = [
    "KEEP_RESULTS",
    "FailedExpectation",
    "GxOutcome",
    "build_data_docs",
    "context_dir",
    "context_files",
    "data_docs_index",
    "disagreements",
    "expectations_for",
    "parameters_for",
    "prune_results",
    "sync_context",
    "validate",
    "write_context",
]
