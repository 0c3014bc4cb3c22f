"""The lifecycle as a user drives it: propose, simulate, refused, approve,
activate, diff; outcomes import; purge — all through ``finduo``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finduo.cli import _register_all, app
from finduo.errors import FinduoError
from finduo.policy.loader import shipped_policy
from finduo.settings import get_settings
from finduo.simulation.synthetic import History
from finduo.store import Store


@pytest.fixture()
def state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: History
) -> Iterator[Path]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    for name in ("FINDUO_DATABASE_URL", "FINDUO_USER", "FINDUO_POLICY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    store = Store.from_settings(get_settings())
    store.upgrade()
    for name, roles in {"ana": ["analyst"], "cat": ["approver"]}.items():
        store.create_user(name, roles, "admin")
    for d, a in list(zip(history.decisions, history.applications, strict=True))[:60]:
        store.record_decision(d, a, "engine", open_case=False)
    store.close()
    _register_all()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    """Exit code as `finduo` gives it (product errors map to their exit code)."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, FinduoError):
        return result.exception.exit_code, str(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output
    )
    return result.exit_code, result.output


def test_cli_policy_change_by_two_users(state: Path) -> None:
    text = re.sub(
        r"(?m)^(\s*approve_below:) [0-9.]+", r"\1 0.16", shipped_policy().text
    )
    (state / "p.yaml").write_text(text, encoding="utf-8")

    code, out = _run("--as", "ana", "policy", "propose", str(state / "p.yaml"))
    ref = re.search(r"\(([0-9a-f]{12})\) is proposed", out).group(1)
    code_sim, sim = _run("--as", "ana", "policy", "simulate", ref, "--json")
    code_own, refused = _run("--as", "ana", "policy", "approve", ref)
    code_ok, approved = _run("--as", "cat", "policy", "approve", ref)
    code_act, active = _run("--as", "cat", "policy", "activate", ref)
    (state / "old.yaml").write_text(shipped_policy().text, encoding="utf-8")
    code_diff, diff = _run("policy", "diff", str(state / "old.yaml"))

    assert code == 0 and code_sim == 0 and code_ok == 0 and code_act == 0
    data = json.loads(sim)
    assert data["n"] == 60 and data["active"] == "german-credit"
    assert data["swap_in"]["note"].startswith("Swap-ins were not approved")
    assert code_own == 8 and "needs the role approver" in refused
    assert "is approved" in approved and "is active" in active
    assert code_diff == 0 and "cutoffs.approve_below" in diff and "0.16" in diff


def test_cli_outcomes_import_and_purge(state: Path, history: History) -> None:
    ids = [d.decision_id for d in history.decisions[:60]]
    rows = history.outcomes[history.outcomes["decision_id"].isin(ids)].head(5)
    lines = ["decision_id;kind;observed_at;days_past_due"]
    lines += [
        f"{r.decision_id};{r.kind};{r.observed_at.date()};{r.days_past_due}"
        for r in rows.itertuples()
    ]
    lines += ["DEC-unknown;paid;2025-05-01;0", lines[1]]
    (state / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out = _run(
        "--as", "ana", "outcomes", "import", str(state / "o.csv"), "--json"
    )
    code_p, purged = _run(
        "--as", "dpo", "purge", "--before", "2025-03-01", "--force", "--json"
    )

    report = json.loads(out)
    assert code == 0 and report["rows"] == 7 and report["inserted"] == 5
    assert len(report["unmatched"]) == 1 and len(report["duplicates"]) == 1
    result = json.loads(purged)
    assert code_p == 0 and result["audit_ok"] is True
    assert result["applications_erased"] > 0
