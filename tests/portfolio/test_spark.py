"""Spark engine in local mode gives the local engine's watchlist, row for row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.datasets import taiwan
from finduo.portfolio.output import work_dir
from finduo.portfolio.scan import run_scan
from finduo.portfolio.scoring import ChunkScorer

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _scores(out: Path) -> pd.DataFrame:
    parts = sorted((work_dir(out) / "scores").glob("part-*.parquet"))
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    frame["action"] = frame["action"].astype(str)
    return frame.sort_values("customer_id").reset_index(drop=True)


def test_spark_scan_equals_local_scan_row_for_row(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    pytest.importorskip("pyspark")
    from finduo.portfolio.spark import run_spark_scan, spark_session

    sample = taiwan_wide.sample(1500, random_state=3).drop(columns=[taiwan.TARGET])
    source = tmp_path / "portfolio.parquet"
    sample.to_parquet(source, index=False)
    local_out = tmp_path / "local.csv"
    spark_out = tmp_path / "spark.csv"
    run_scan(source, taiwan.AS_OF, local_out, ChunkScorer(scan_model, policy))

    spark = spark_session("local[2]")
    try:
        run_spark_scan(
            source,
            taiwan.AS_OF,
            spark_out,
            ChunkScorer(scan_model, policy),
            spark=spark,
        )
    finally:
        spark.stop()

    local, remote = _scores(local_out), _scores(spark_out)
    assert len(remote) == 1500
    np.testing.assert_array_equal(local["customer_id"], remote["customer_id"])
    np.testing.assert_allclose(local["pd"], remote["pd"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(local["action"], remote["action"])
    pd.testing.assert_frame_equal(
        pd.read_csv(local_out, dtype={"customer_id": str}),
        pd.read_csv(spark_out, dtype={"customer_id": str}),
    )
