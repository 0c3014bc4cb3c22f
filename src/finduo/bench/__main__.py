"""``python -m finduo.bench [NAME ...]``: run the benches in sequence (``make bench``).

Each bench is a module ``finduo.bench.<name>`` with ``main(argv) -> int``;
add yours to :data:`finduo.bench.BENCHES`. A failing bench is reported and the
others still run; the exit code is non-zero when any failed.
"""

from __future__ import annotations

import sys

from finduo.bench import run_benches

if __name__ == "__main__":
    raise SystemExit(run_benches(sys.argv[1:]))
