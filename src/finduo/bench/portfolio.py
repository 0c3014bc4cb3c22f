"""Benchmark of the portfolio scan (``make bench``, part "portfolio").

On a SYNTHETIC portfolio (default 10,000,000 customers, resampled and
perturbed from the Taiwan rows, generated once and cached under
``FINDUO_STATE_DIR/synthetic``) this prints, in one run:

* customers per second end to end: read Parquet in chunks, behavioural
  features, compiled-tree score, calibration, early-warning policy, write the
  scores and the watchlist (``run_scan``, as ``finduo portfolio scan`` does);
* the reference: stock LightGBM ``predict`` of the same model on the same
  rows already in memory as one float64 matrix (all cores);
* their ratio, the peak memory of the scan, and the largest difference
  between compiled and stock scores;
* the cost of reasons (per-row contributions) for watchlist rows, timed on a
  sample, since the end-to-end run leaves them out (``--reasons`` puts them
  back; at about a millisecond a row they dominate any large watchlist).

The model is the newest LightGBM trained on ``taiwan-credit-default`` in the
state folder; without one it is trained first, as ``finduo train`` would.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from finduo.datasets import taiwan
from finduo.settings import get_settings

logger = logging.getLogger(__name__)


def bench_model(state_dir: Path) -> Any:
    """The newest Taiwan LightGBM, trained and saved first when there is none."""
    from finduo.errors import NotFoundError
    from finduo.models.artifacts import latest_model, save_model

    try:
        return latest_model("lightgbm", taiwan.NAME)
    except NotFoundError:
        pass
    from finduo.datasets.registry import get_dataset
    from finduo.models.training import train_models

    info = get_dataset(taiwan.NAME)
    models = train_models(
        info.load(),
        info.target,
        info.name,
        protected=info.protected,
        id_columns=[taiwan.ID_COLUMN, *info.raw_columns],
        kinds=("lightgbm",),
        params=info.params,
    )
    save_model(models["lightgbm"])
    return models["lightgbm"]


def _reset_peak() -> None:
    """Start a new peak-memory window (Linux: clear the VmHWM mark)."""
    # Not Linux, or not allowed: the peak then counts from the start.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """Peak resident memory since the last reset (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reference_matrix(path: Path, scorer: Any, chunk_rows: int) -> np.ndarray:
    """Every row's model inputs as one (n, k) float64 matrix, in memory."""
    from finduo.portfolio.scan import input_rows, iter_chunks

    total = input_rows(path) or 0
    X = np.empty((total, len(scorer.names)), dtype=np.float64)
    start = 0
    for columns in iter_chunks(path, chunk_rows):
        part, _ = scorer.inputs(columns)
        X[start : start + len(part)] = part
        start += len(part)
    return X[:start]


def run(
    rows: int, chunk_rows: int, seed: int, out: Callable[[str], None] = print
) -> dict[str, Any]:
    from finduo.portfolio.compiled import StockScorer
    from finduo.portfolio.policy import load_early_warning
    from finduo.portfolio.runner import make_scorer
    from finduo.portfolio.scan import run_scan
    from finduo.portfolio.scoring import ChunkScorer
    from finduo.portfolio.synthetic import default_path, generate_portfolio

    settings = get_settings()
    state = settings.state_dir
    model = bench_model(state)
    source = default_path(state, rows, seed)
    if not source.is_file():
        out(f"generating SYNTHETIC portfolio of {rows:,} customers -> {source}")
        generate_portfolio(rows, source, seed=seed)
    started = time.perf_counter()
    compiled = make_scorer(model, state, "lleaves")
    compile_s = time.perf_counter() - started
    policy = load_early_warning()

    scorer = ChunkScorer(model, policy, compiled, reasons=False)
    watchlist = state / "bench" / "watchlist-synthetic.parquet"
    watchlist.parent.mkdir(parents=True, exist_ok=True)
    _reset_peak()
    cpu = time.process_time()
    started = time.perf_counter()
    result = run_scan(
        source, taiwan.AS_OF, watchlist, scorer, chunk_rows=chunk_rows, restart=True
    )
    scan_s = time.perf_counter() - started
    scan_cpu = time.process_time() - cpu
    peak_scan = _peak_mb()

    _reset_peak()
    X = reference_matrix(source, scorer, chunk_rows)
    stock = StockScorer(model.booster, threads=0)
    cpu = time.process_time()
    started = time.perf_counter()
    raw_stock = stock.raw_score(X)
    stock_s = time.perf_counter() - started
    stock_cpu = time.process_time() - cpu
    sample = X[: min(len(X), 200_000)]
    diff = float(np.max(np.abs(compiled.raw_score(sample) - raw_stock[: len(sample)])))

    watch_rows = X[: min(len(X), 2000)]
    started = time.perf_counter()
    model.contributions(watch_rows)
    reasons_rate = len(watch_rows) / (time.perf_counter() - started)

    figures = {
        "portfolio": "SYNTHETIC",
        "customers": result.customers,
        "watchlist": result.watched,
        "chunk_rows": chunk_rows,
        "model": model.version,
        "trees": model.booster.num_trees(),
        "compile_or_cache_s": round(compile_s, 1),
        "scan_s": round(scan_s, 1),
        "scan_cpu_s": round(scan_cpu, 1),
        "stock_predict_s": round(stock_s, 1),
        "stock_predict_cpu_s": round(stock_cpu, 1),
        "end_to_end_customers_per_s": round(result.customers / scan_s),
        "stock_lightgbm_predict_rows_per_s": round(len(X) / stock_s),
        "ratio_end_to_end_vs_stock": round(
            (result.customers / scan_s) / (len(X) / stock_s), 2
        ),
        "peak_memory_scan_mb": round(peak_scan),
        "peak_memory_reference_phase_mb": round(_peak_mb()),
        "max_abs_diff_lleaves_vs_lightgbm_raw_score": diff,
        "reasons_rows_per_s": round(reasons_rate),
        "reasons_for_whole_watchlist_s_estimate": round(result.watched / reasons_rate),
    }
    lines = [
        (
            "end to end (read, features, score, policy, write)",
            f"{figures['end_to_end_customers_per_s']:,} customers/s ({scan_s:.1f} s)",
        ),
        (
            "stock LightGBM predict, same rows in memory",
            f"{len(X) / stock_s:,.0f} rows/s ({stock_s:.1f} s)",
        ),
        (
            "ratio end to end / stock reference",
            f"{figures['ratio_end_to_end_vs_stock']}",
        ),
        ("peak memory during the scan", f"{figures['peak_memory_scan_mb']:,} MB"),
        ("compiled vs stock raw scores, max |diff|", f"{diff:.2e}"),
        ("CPU seconds: scan / stock predict", f"{scan_cpu:.1f} / {stock_cpu:.1f}"),
        ("watchlist rows", f"{result.watched:,}"),
        ("reasons (not in the end-to-end figure)", f"{reasons_rate:,.0f} rows/s"),
    ]
    out(f"portfolio scan bench, SYNTHETIC portfolio of {result.customers:,} customers")
    for label, value in lines:
        out(f"  {label + ':':<52}{value}")
    out("BENCH_PORTFOLIO " + json.dumps(figures))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finduo.bench.portfolio")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    run(args.rows, args.chunk_rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
