"""The synthetic portfolio is labelled, reproducible and in range."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from finduo.datasets import taiwan
from finduo.portfolio.synthetic import generate_portfolio, is_synthetic


def test_generator_writes_labelled_reproducible_rows(
    tmp_path: Path, taiwan_wide: pd.DataFrame
) -> None:
    one = generate_portfolio(
        2500, tmp_path / "a.parquet", seed=4, chunk_rows=1000, source=taiwan_wide
    )
    two = generate_portfolio(
        2500, tmp_path / "b.parquet", seed=4, chunk_rows=1000, source=taiwan_wide
    )

    frame = pd.read_parquet(one)
    assert is_synthetic(one)
    assert pq.ParquetFile(one).metadata.num_rows == 2500
    assert frame["customer_id"].tolist() == list(range(1, 2501))
    pd.testing.assert_frame_equal(frame, pd.read_parquet(two))
    status = frame[list(taiwan.STATUS_COLUMNS)]
    assert status.isin(range(-2, 9)).all().all()
    assert (frame["limit_bal"] > 0).all()
    # Resampled, not copied: the delinquent share stays near the real one.
    real = (taiwan_wide["pay_status_1"] >= 1).mean()
    assert abs((frame["pay_status_1"] >= 1).mean() - real) < 0.05
