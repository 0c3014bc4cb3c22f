"""Purge erases personal data past retention; the audit chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from finduo.errors import ConflictError
from finduo.retention import RetentionSettings, purge
from finduo.simulation.synthetic import History
from finduo.store import Store


def test_purge_erases_old_applications_and_case_texts_and_audit_verifies(
    store: Store, history: History
) -> None:
    old = [
        d
        for d in history.decisions[:200]
        if d.created_at < datetime(2025, 7, 1, tzinfo=UTC)
    ]
    new = [
        d
        for d in history.decisions[:200]
        if d.created_at >= datetime(2025, 7, 1, tzinfo=UTC)
    ]
    case = store.open_case(
        "engine",
        kind="onboarding",
        decision_id=old[0].decision_id,
        details={"note": "called Mr X at home"},
    )
    store.resolve_case(
        case.id,
        outcome="approve",
        reason_code="CONFIRMS_MACHINE",
        reviewer="rev",
        comment="spoke to the applicant, Mr X",
    )
    store.audit_anchor()  # verify checks the chain against this head too
    assert store.audit_verify().ok

    report = purge(
        store,
        datetime(2025, 7, 1, tzinfo=UTC),
        "dpo",
        now=datetime(2027, 8, 1, tzinfo=UTC),
    )

    assert report.applications_erased == len(old)
    assert report.cases_with_text_erased == 1
    assert store.get_stored_decision(old[0].decision_id).application is None
    assert store.get_stored_decision(new[0].decision_id).application is not None
    resolved = store.get_case(case.id)
    assert resolved.resolution.comment is None and resolved.details == {}
    assert store.get_decision(old[0].decision_id).pd == old[0].pd  # record kept
    verify = store.audit_verify()
    assert verify.ok, verify
    again = purge(
        store,
        datetime(2025, 7, 1, tzinfo=UTC),
        "dpo",
        now=datetime(2027, 8, 1, tzinfo=UTC),
    )
    assert again.applications_erased == 0


def test_purge_within_retention_is_refused_unless_forced(store: Store) -> None:
    settings = RetentionSettings(retention_application_months=24)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    with pytest.raises(ConflictError, match="still within retention"):
        purge(
            store, datetime(2025, 6, 1, tzinfo=UTC), "dpo", settings=settings, now=now
        )
    forced = purge(
        store,
        datetime(2025, 2, 1, tzinfo=UTC),
        "dpo",
        settings=settings,
        now=now,
        force=True,
    )

    assert forced.applications_erased > 0
    assert store.audit_verify().ok
