"""The portfolio scan on Apache Spark, for portfolios larger than one machine.

The same :class:`~finduo.portfolio.scoring.ChunkScorer` — features, model,
calibration, early-warning policy, reasons — is broadcast to the executors
and applied to every partition over Arrow batches with ``mapInPandas``. The
trees are LightGBM's own (a compiled lleaves model is a native library that
cannot be shipped inside a broadcast). The scored rows are written by Spark
as Parquet, then turned into the same chunk parts and manifest as the local
engine writes, so that the watchlist, the comparison with the previous scan
and the review cases are produced by the same code.

Spark is an optional extra (``pip install finduo[spark]``) and needs Java 17.
A local session binds the driver to 127.0.0.1 and runs without its web UI.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from finduo.datasets import taiwan
from finduo.errors import ConfigError
from finduo.portfolio.output import commit_chunk, open_work, work_dir
from finduo.portfolio.policy import ACTIONS, rule_labels
from finduo.portfolio.scan import _UCI_NAMES, Progress, ScanResult, _identity
from finduo.portfolio.scoring import NEEDED, ChunkScorer
from finduo.portfolio.watchlist import finish_watchlist

logger = logging.getLogger(__name__)

SPARK_OUTPUT = "spark-scores"


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session for scans: driver on 127.0.0.1, UI off, Arrow on."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            "the spark engine needs the spark extra: pip install 'finduo[spark]' "
            "(and Java 17)"
        ) from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("finduo-portfolio-scan")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def _score_partitions(
    broadcast: Any, rule_ids: list[str]
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        scorer: ChunkScorer = broadcast.value
        for frame in batches:
            columns = {c: frame[c].to_numpy() for c in frame.columns}
            chunk = scorer.score(columns)
            rows = np.flatnonzero(chunk.watch)
            reasons = np.full(len(chunk), None, dtype=object)
            reasons[rows] = chunk.reasons
            german = np.full(len(chunk), None, dtype=object)
            german[rows] = chunk.reasons_de or chunk.reasons
            rules = rule_labels(rule_ids)[chunk.rule]
            yield pd.DataFrame(
                {
                    taiwan.ID_COLUMN: chunk.customer_id,
                    "pd": chunk.pd,
                    "action": np.array(ACTIONS, dtype=object)[chunk.action],
                    "rule": rules,
                    "exposure": chunk.exposure,
                    "watch": chunk.watch,
                    "reasons": reasons,
                    "reasons_de": german,
                }
            )

    return score


def _read(spark: Any, path: Path) -> Any:
    if path.suffix.lower() == ".parquet":
        frame = spark.read.parquet(str(path))
    else:
        frame = (
            spark.read.option("header", True).option("inferSchema", True).csv(str(path))
        )
    for source, target in _UCI_NAMES.items():
        if source in frame.columns:
            frame = frame.withColumnRenamed(source, target)
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing:
        raise ConfigError(f"portfolio input {path} lacks the columns {missing}")
    from pyspark.sql import functions as F

    selected = [F.col(taiwan.ID_COLUMN)] + [
        F.col(c).cast("double").alias(c) for c in NEEDED if c != taiwan.ID_COLUMN
    ]
    return frame.select(*selected)


def run_spark_scan(
    path: Path,
    as_of: date,
    out: Path,
    scorer: ChunkScorer,
    *,
    previous: Path | None = None,
    open_cases: Any = None,
    progress: Progress | None = None,
    spark: Any = None,
    restart: bool = False,
) -> ScanResult:
    """:func:`finduo.portfolio.scan.run_scan` on Spark (see module doc)."""
    started = time.perf_counter()
    scorer.as_of = as_of
    session = spark or spark_session()
    folder = work_dir(out)
    identity = {**_identity(path, as_of, scorer, 0), "engine": "spark"}
    manifest = open_work(folder, identity, restart)
    target = folder / SPARK_OUTPUT
    if not (target / "_SUCCESS").is_file():
        frame = _read(session, path)
        id_type = frame.schema[taiwan.ID_COLUMN].dataType.simpleString()
        schema = (
            f"{taiwan.ID_COLUMN} {id_type}, pd double, action string, rule string, "
            "exposure double, watch boolean, reasons string, reasons_de string"
        )
        rule_ids = [rule.id for rule in scorer.policy.policy.rules]
        broadcast = session.sparkContext.broadcast(scorer)
        scored = frame.mapInPandas(_score_partitions(broadcast, rule_ids), schema)
        scored.write.mode("overwrite").parquet(str(target))
        broadcast.unpersist()
    # Spark's committed output becomes the engine-neutral chunk parts.
    parts = sorted(target.glob("part-*.parquet"))
    for index, part in enumerate(parts):
        if index in manifest.chunks:
            continue
        table = pq.read_table(part).rename_columns(
            [
                "customer_id",
                "pd",
                "action",
                "rule",
                "exposure",
                "watch",
                "reasons",
                "reasons_de",
            ]
        )
        watch = table.filter(table["watch"])
        commit_chunk(folder, manifest, index, _as_scores(table), _as_watch(watch))
    total = sum(c["rows"] for c in manifest.chunks.values())
    if progress is not None:
        progress(total, total)
    summary = finish_watchlist(folder, manifest, out, scorer, previous, open_cases)
    manifest.finished = True
    manifest.write(folder)
    return ScanResult(
        watchlist=out,
        work=folder,
        customers=total,
        watched=summary.watched,
        chunks=len(manifest.chunks),
        resumed_chunks=0,
        seconds=time.perf_counter() - started,
        cases_opened=summary.cases_opened,
        cases_existing=summary.cases_existing,
        counts=summary.counts,
    )


def _dictionary(column: Any) -> Any:
    import pyarrow as pa

    codes = np.array([ACTIONS.index(a) for a in column.to_pylist()], dtype=np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(ACTIONS))


def _as_scores(table: Any) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "customer_id": table["customer_id"],
            "pd": table["pd"],
            "action": _dictionary(table["action"]),
        }
    )


def _as_watch(table: Any) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "customer_id": table["customer_id"],
            "pd": table["pd"],
            "action": _dictionary(table["action"]),
            "rule": table["rule"],
            "exposure": table["exposure"],
            "reasons": table["reasons"],
            "reasons_de": table["reasons_de"],
        }
    )


__all__ = ["run_spark_scan", "spark_session"]
