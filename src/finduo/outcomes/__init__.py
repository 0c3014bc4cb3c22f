"""Outcomes: what happened after a decision, joined to it; bad definition."""

from finduo.outcomes.definition import OutcomeDefinition, label_decisions
from finduo.outcomes.importer import ImportReport, import_csv, import_records
from finduo.outcomes.plausibility import check_outcomes, implausible

__all__ = [
    "ImportReport",
    "OutcomeDefinition",
    "check_outcomes",
    "implausible",
    "import_csv",
    "import_records",
    "label_decisions",
]
