from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, OutputContext

from pipelines.metadata import gated
from samverkan.files import write_bytes_atomic

DEFAULT_STORAGE = "var/storage"


class ParquetIOManager(ConfigurableIOManager):
    """Stores each asset partition as one Parquet file, written atomically (temp file + rename)."""

    base_dir: str = os.environ.get("SAMVERKAN_STORAGE", DEFAULT_STORAGE)

    def _path(self, context: OutputContext | InputContext) -> Path:
        key = context.asset_key.path
        partition = context.asset_partition_key if context.has_asset_partitions else "__all__"
        return Path(self.base_dir).joinpath(*key) / f"{partition}.parquet"

    def handle_output(self, context: OutputContext, obj: pd.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a DataFrame, got {type(obj).__name__}")
        buffer = io.BytesIO()
        obj.to_parquet(buffer, index=False)
        path = write_bytes_atomic(self._path(context), buffer.getvalue())
        context.add_output_metadata(gated({"path": str(path), "rows": len(obj)}))

    def load_input(self, context: InputContext) -> pd.DataFrame:
        path = self._path(context)
        if not path.exists():
            partition = context.asset_partition_key if context.has_asset_partitions else "alla år"
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} för {partition} är inte materialiserad ({path} saknas); "
                "kör uppströmstillgången först"
            )
        return pd.read_parquet(path)


class PickleIOManager(ConfigurableIOManager):
    """Pickles the outputs passed between the report's ops (the inputs bundle, one förbund name per dynamic
    output, the rendered records) under ``base_dir/<run>/<step>/<output>[/<mapping key>]``, the layout of
    Dagster's FilesystemIOManager, which it replaces for two reasons: each file is written atomically (a killed
    step leaves no half-written pickle for a re-execution to load), and no debug event is stored per file.
    The report fans out into one step per förbund, so those events were 80 on the critical path of
    ``report_inputs`` and three in every render step."""

    base_dir: str = str(Path(os.environ.get("SAMVERKAN_STORAGE", DEFAULT_STORAGE)) / "intermediate")

    def _path(self, identifier: list[str]) -> Path:
        return Path(self.base_dir).joinpath(*identifier)

    def handle_output(self, context: OutputContext, obj: object) -> None:
        write_bytes_atomic(self._path(context.get_identifier()), pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def load_input(self, context: InputContext) -> object:
        path = self._path(context.upstream_output.get_identifier())
        if not path.exists():
            raise FileNotFoundError(f"{context.upstream_output.step_key}: mellanresultatet {path} saknas; "
                                    "kör om steget som skapar det")
        return pickle.loads(path.read_bytes())
