"""Benchmarks run by ``make bench`` (``python -m finduo.bench``)."""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Sequence

# Run in this order; each module offers main(argv) -> int.
BENCHES: tuple[str, ...] = ("api", "replay", "portfolio")

logger = logging.getLogger(__name__)


def run_benches(names: Sequence[str] = ()) -> int:
    """Run the named benches (default all) one after the other; 0 if all passed."""
    chosen = list(names) or list(BENCHES)
    unknown = [n for n in chosen if n not in BENCHES]
    if unknown:
        print(f"unknown bench {unknown}; choose from {list(BENCHES)}")
        return 2
    failed = []
    for name in chosen:
        print(f"=== bench {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"finduo.bench.{name}")
            code = int(module.main([]) or 0)
        except Exception:  # one broken bench must not hide the others
            traceback.print_exc()
            code = 1
        print(
            f"=== bench {name}: exit {code} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if code:
            failed.append(name)
    if failed:
        print(f"failed benches: {failed}")
    return 1 if failed else 0


__all__ = ["BENCHES", "run_benches"]
