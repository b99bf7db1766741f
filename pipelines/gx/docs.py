"""Great Expectations Data Docs: one site for every stored result, built once per run and kept bounded.

GX's pages load their styles and scripts from CDNs and render the index with JavaScript;
``pipelines.gx.offline`` rewrites the site so it opens without a network and runs no script.

The checkpoints carry no actions: rebuilding Data Docs costs time that grows
with the stored results, so ``build_data_docs`` does it once per run (the
``data_quality`` asset, after every ingest step), keeping the newest
``KEEP_RESULTS`` results per dataset so the store and the site stay bounded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipelines.gx.context import DATA_DOCS_SITE, context_dir, data_docs_index, open_context, site_dir, validations_dir
from pipelines.gx.offline import make_offline
from samverkan.contract import DATASETS

# Stored validation results kept per dataset (about a month of daily runs of every year); older ones are
# deleted before Data Docs are built, so neither the store nor the site grows without bound.
KEEP_RESULTS = 40

log = logging.getLogger(__name__)


def prune_results(root: Path, keep: int = KEEP_RESULTS) -> int:
    """Delete all but the newest ``keep`` stored validation results per dataset, and their Data Docs pages.

    The store's layout is ``validations/<suite>/<run name>/<run time>/<batch>.json`` and the site mirrors
    it under ``data_docs/<site>/validations/`` as ``.html``; run times are ISO stamps, so they sort by age.
    Returns the number of results deleted.
    """
    store = validations_dir(root)
    site = site_dir(root) / "validations"
    deleted = 0
    if not store.is_dir():
        return 0
    for suite in sorted(p for p in store.iterdir() if p.is_dir()):
        results = sorted(suite.glob("*/*/*.json"), key=lambda p: (p.parent.name, p.parent.parent.name, p.name))
        for old in results[: max(len(results) - keep, 0)]:
            old.unlink()
            page = site / old.relative_to(store).with_suffix(".html")
            page.unlink(missing_ok=True)
            deleted += 1
        for folder in (suite, site / suite.name):
            # Empty run folders left behind would still be listed by neither store; tidy them anyway.
            for directory in sorted(folder.glob("**/"), key=lambda p: len(p.parts), reverse=True):
                if directory != folder and directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()
    return deleted


def build_site(context: Any) -> None:
    """Render the pages not yet on the site (new results, the suites) and the index.

    A full rebuild re-renders every stored result, seconds that grow with the store; pages of earlier runs do
    not change, so only missing ones are rendered, as the checkpoint action used to do for its own result.
    """
    from great_expectations.data_context.types.resource_identifiers import (  # noqa: PLC0415
        ExpectationSuiteIdentifier,
    )

    root = Path(context.root_directory)
    site = site_dir(root) / "validations"
    new = [key for key in context.validation_results_store.list_keys()
           if not site.joinpath(*map(str, key.to_tuple())).with_name(f"{key.to_tuple()[-1]}.html").exists()]
    suites = [ExpectationSuiteIdentifier(name=name) for name in DATASETS]
    context.build_data_docs(site_names=[DATA_DOCS_SITE], resource_identifiers=[*new, *suites])
    make_offline(site_dir(root), validations_dir(root))


def build_data_docs(root: Path | None = None, keep: int = KEEP_RESULTS) -> Path | None:
    """Bound the results store, then rebuild the Data Docs site once from every stored result.

    Called once per run after all ingest steps; returns the site's index page (None if GX wrote none).
    """
    root = Path(root or context_dir())
    deleted = prune_results(root, keep)
    if deleted:
        log.info("GX: %d äldre valideringsresultat borttagna (de %d senaste per dataset behålls)", deleted, keep)
    build_site(open_context(root))
    index = data_docs_index(root)
    return index if index.exists() else None


