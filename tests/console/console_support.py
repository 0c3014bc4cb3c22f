"""Helpers of the console tests: sign in, screenshots, axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "a long test password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
GERMAN_NUMBER = re.compile(r"\b\d{1,3}(?:\.\d{3})+,\d{2}\b")


def sign_in(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    """Sign in through the form, in whichever language the page is."""
    page.goto(f"{base}/console/sign-in")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("form[action$='sign-in'] button[type=submit]")
    page.wait_for_load_state()


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot under test-artifacts/console/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the current page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
