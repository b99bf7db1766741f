from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
from dagster import ConfigurableIOManager, InputContext, OutputContext

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
        context.add_output_metadata({"path": str(path), "rows": len(obj)})

    def load_input(self, context: InputContext) -> pd.DataFrame:
        path = self._path(context)
        if not path.exists():
            partition = context.asset_partition_key if context.has_asset_partitions else "alla år"
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} för {partition} är inte materialiserad ({path} saknas); "
                "kör uppströmstillgången först"
            )
        return pd.read_parquet(path)
