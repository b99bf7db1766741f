"""Imported last by the executor's forkserver (``pipelines.preload``): the work every step process would
otherwise repeat is done once, before the forkserver forks them (pipelines/runtime.py says what and why)."""

from pipelines.runtime import prepare_forkserver

prepare_forkserver()
