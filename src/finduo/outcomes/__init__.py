"""Outcomes: what happened after a decision, joined to it; bad definition."""

from finduo.outcomes.definition import OutcomeDefinition, label_decisions
from finduo.outcomes.importer import ImportReport, import_csv, import_records

__all__ = [
    "ImportReport",
    "OutcomeDefinition",
    "import_csv",
    "import_records",
    "label_decisions",
]
