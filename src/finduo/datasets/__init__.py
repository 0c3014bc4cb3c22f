"""Data sets: the German credit loader, any CSV in and out, and the registry."""

from finduo.datasets.csvio import detect_id_columns, read_table, write_table
from finduo.datasets.german import load_german
from finduo.datasets.registry import (
    DatasetInfo,
    dataset_from_csv,
    dataset_names,
    get_dataset,
)

__all__ = [
    "DatasetInfo",
    "dataset_from_csv",
    "dataset_names",
    "detect_id_columns",
    "get_dataset",
    "load_german",
    "read_table",
    "write_table",
]
