"""A SYNTHETIC portfolio of any size, resampled and perturbed from the Taiwan rows.

For benchmarks and tests of scale only: the rows are not real customers and
carry no outcome. Each synthetic customer starts from a random real Taiwan
customer; amounts (limit, bills, payments) are multiplied by a log-normal
factor shared by the customer (sigma 0.15) times a small per-month one
(sigma 0.05), the limit is rounded to NT$ 1,000, the age moves by up to two
years, and with probability 0.05 per month a repayment status moves one step
(kept within -2..8). Customer ids are 1..n. The Parquet file says so in its
schema metadata (``finduo.synthetic = true``) and its name starts with
``synthetic-``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from finduo.datasets import taiwan

logger = logging.getLogger(__name__)

METADATA = {
    b"finduo.synthetic": b"true",
    b"finduo.source": b"resampled and perturbed rows of taiwan-credit-default",
}


def default_path(state_dir: Path, rows: int, seed: int) -> Path:
    return state_dir / "synthetic" / f"synthetic-portfolio-{rows}-seed{seed}.parquet"


def is_synthetic(path: Path) -> bool:
    """Whether a Parquet file was made by this generator."""
    meta = pq.read_schema(path).metadata or {}
    return meta.get(b"finduo.synthetic") == b"true"


def _perturb(base: pd.DataFrame, rng: np.random.Generator, start_id: int) -> pa.Table:
    n = len(base)
    person = np.exp(rng.normal(0.0, 0.15, size=n))
    columns: dict[str, np.ndarray] = {
        taiwan.ID_COLUMN: np.arange(start_id, start_id + n, dtype=np.int64)
    }
    limit = np.round(base["limit_bal"].to_numpy() * person / 1000.0) * 1000.0
    columns["limit_bal"] = np.maximum(limit, 1000.0).astype(np.int32)
    for name in ("sex", "education", "marriage"):
        columns[name] = base[name].to_numpy().astype(np.int8)
    age = base["age"].to_numpy() + rng.integers(-2, 3, size=n)
    columns["age"] = np.clip(age, 18, 99).astype(np.int8)
    for name in taiwan.STATUS_COLUMNS:
        status = base[name].to_numpy()
        step = rng.choice(np.array([-1, 0, 1]), size=n, p=[0.025, 0.95, 0.025])
        columns[name] = np.clip(status + step, -2, 8).astype(np.int8)
    for name in (*taiwan.BILL_COLUMNS, *taiwan.PAID_COLUMNS):
        month = np.exp(rng.normal(0.0, 0.05, size=n))
        columns[name] = np.round(base[name].to_numpy() * person * month).astype(
            np.int32
        )
    return pa.table(columns).replace_schema_metadata(METADATA)


def generate_portfolio(
    rows: int,
    out: Path,
    seed: int = 0,
    chunk_rows: int = 1_000_000,
    source: pd.DataFrame | None = None,
) -> Path:
    """Write a SYNTHETIC portfolio of ``rows`` customers to the Parquet file ``out``.

    Parameters
    ----------
    rows : int
        Number of synthetic customers.
    out : pathlib.Path
        Target file (written to a temporary name, then renamed).
    seed : int
        Seed of the resampling and perturbation; equal seeds, equal files.
    chunk_rows : int
        Rows per row group (memory is bounded by this, not by ``rows``).
    source : pandas.DataFrame, optional
        Wide Taiwan rows to resample; default the real data set.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1; got {rows}")
    started = time.perf_counter()
    base = source if source is not None else taiwan.load_taiwan()
    base = base[list(taiwan.WIDE_COLUMNS)].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, rows, chunk_rows):
            n = min(chunk_rows, rows - start)
            picks = rng.integers(0, len(base), size=n)
            table = _perturb(base.iloc[picks], rng, start + 1)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
            writer.write_table(table, row_group_size=chunk_rows)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, out)
    logger.info(
        "generated SYNTHETIC portfolio of %d rows in %.1fs: %s",
        rows,
        time.perf_counter() - started,
        out,
    )
    return out


__all__ = ["METADATA", "default_path", "generate_portfolio", "is_synthetic"]
