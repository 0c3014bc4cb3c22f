"""A scan's working folder: chunk parts and the manifest of committed chunks.

Layout of ``<WATCHLIST>.scan/``::

    manifest.json            what was scanned and which chunks are committed
    scores/part-00000.parquet   customer_id, pd, action of every customer
    watch/part-00000.parquet    watchlist rows of the chunk, with reasons

A chunk counts only once the manifest lists it. Its parts are written to a
temporary name and renamed into place before the manifest is rewritten (also
by rename), so a crash at any point leaves either a committed chunk or none:
on resume an uncommitted chunk is scored again and its parts overwritten, a
committed one is skipped. Nobody is scored twice into the result.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from finduo.errors import ConfigError
from finduo.portfolio.policy import ACTIONS, rule_labels
from finduo.portfolio.scoring import ScoredChunk

MANIFEST = "manifest.json"
ACTION_TYPE = pa.dictionary(pa.int8(), pa.string())


def work_dir(watchlist: Path) -> Path:
    """The working folder of the scan that writes ``watchlist``."""
    return watchlist.parent / f"{watchlist.name}.scan"


@dataclass
class Manifest:
    """What a scan covers (its identity) and the chunks committed so far."""

    identity: dict[str, Any]
    chunks: dict[int, dict[str, int]] = field(default_factory=dict)
    finished: bool = False

    def to_json(self) -> str:
        body = {
            "identity": self.identity,
            "chunks": {str(k): v for k, v in sorted(self.chunks.items())},
            "finished": self.finished,
        }
        return json.dumps(body, indent=2, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        path = folder / MANIFEST
        if not path.is_file():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        chunks = {int(k): v for k, v in body.get("chunks", {}).items()}
        return cls(body["identity"], chunks, bool(body.get("finished", False)))

    def write(self, folder: Path) -> None:
        _atomic_write(folder / MANIFEST, self.to_json().encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def open_work(folder: Path, identity: dict[str, Any], restart: bool) -> Manifest:
    """The manifest to continue from: the folder's, or a new one.

    Raises
    ------
    ConfigError
        The folder holds a scan of something else (another input, date, model
        or policy) and ``restart`` is not set.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scores").mkdir(exist_ok=True)
    (folder / "watch").mkdir(exist_ok=True)
    found = Manifest.read(folder)
    if found is not None and not restart:
        if found.identity != identity:
            changed = sorted(
                k for k in identity if found.identity.get(k) != identity.get(k)
            )
            raise ConfigError(
                f"{folder} holds an unfinished scan with other {changed}; "
                "pass --restart to discard it."
            )
        return found
    for sub in ("scores", "watch"):
        for part in (folder / sub).glob("part-*"):
            part.unlink()
    (folder / "cases.jsonl").unlink(missing_ok=True)
    manifest = Manifest(identity)
    manifest.write(folder)
    return manifest


def _actions(codes: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(ACTIONS))


def chunk_tables(chunk: ScoredChunk, rule_ids: list[str]) -> tuple[pa.Table, pa.Table]:
    """The scores table (every customer) and the watch table of one chunk."""
    ids = pa.array(chunk.customer_id)
    scores = pa.table(
        {"customer_id": ids, "pd": chunk.pd, "action": _actions(chunk.action)}
    )
    rows = np.flatnonzero(chunk.watch)
    rules = rule_labels(rule_ids)[chunk.rule[rows]]
    german = chunk.reasons_de if chunk.reasons_de is not None else chunk.reasons
    watch = pa.table(
        {
            "customer_id": ids.take(pa.array(rows)),
            "pd": chunk.pd[rows],
            "action": _actions(chunk.action[rows]),
            "rule": pa.array(rules.tolist(), pa.string()),
            "exposure": chunk.exposure[rows],
            "reasons": pa.array(chunk.reasons, pa.string()),
            "reasons_de": pa.array(german, pa.string()),
        }
    )
    return scores, watch


def commit_chunk(
    folder: Path, manifest: Manifest, index: int, scores: pa.Table, watch: pa.Table
) -> None:
    """Write a chunk's parts, then list it in the manifest (see module doc)."""
    name = f"part-{index:05d}.parquet"
    for sub, table in (("scores", scores), ("watch", watch)):
        target = folder / sub / name
        tmp = target.with_name(name + ".tmp")
        pq.write_table(table, tmp, compression="snappy")
        os.replace(tmp, target)
    manifest.chunks[index] = {"rows": scores.num_rows, "watch": watch.num_rows}
    manifest.write(folder)


def read_parts(folder: Path, sub: str, manifest: Manifest) -> pa.Table:
    """The committed parts of ``sub`` (``scores`` or ``watch``), in chunk order."""
    tables = [
        pq.read_table(folder / sub / f"part-{i:05d}.parquet")
        for i in sorted(manifest.chunks)
    ]
    if not tables:
        raise ConfigError(f"scan in {folder} has no committed chunks")
    return pa.concat_tables(tables, promote_options="default")


def write_table(table: pa.Table | pd.DataFrame, out: Path) -> None:
    """Write a frame as CSV or Parquet by the file's suffix."""
    frame = table.to_pandas() if isinstance(table, pa.Table) else table
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_csv(out, index=False)


__all__ = [
    "MANIFEST",
    "Manifest",
    "chunk_tables",
    "commit_chunk",
    "open_work",
    "read_parts",
    "work_dir",
    "write_table",
]
