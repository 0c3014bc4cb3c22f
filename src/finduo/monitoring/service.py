"""One call for the console and the CLI: the monitoring report of the model in use.

``current_report(store)`` finds the model (``model`` version, else the active
one in the store, else the one that decided last, else the newest saved),
re-creates its training sample as the PSI reference and assembles the
report. The console renders ``report.as_dict()`` and ``report.svgs()``;
``finduo.reporting.monitoring_page(report, version)`` gives a whole page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from finduo.monitoring.reference import model_folder, reference_for
from finduo.monitoring.report import MonitoringReport, report_from_store
from finduo.outcomes.definition import OutcomeDefinition


def current_report(
    store: Any,
    *,
    model: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
    definition: OutcomeDefinition | None = None,
) -> tuple[MonitoringReport, str]:
    """The monitoring report and the version of the model it is about."""
    ref = reference_for(model_folder(store, model))
    report = report_from_store(
        store,
        reference=ref.frame,
        reference_pd=ref.pd,
        characteristics=ref.characteristics,
        since=since,
        until=until,
        as_of=as_of,
        definition=definition,
    )
    report.notes.insert(0, ref.note)
    return report, ref.model_version


__all__ = ["current_report"]
