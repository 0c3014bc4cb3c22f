"""German credit loader: decoding against the measured bad rates, and the download."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets import german
from finduo.datasets.registry import get_dataset
from finduo.errors import DataError
from finduo.settings import get_settings


def _data_dir() -> Path:
    candidates = []
    if os.environ.get("FINDUO_DATA_DIR"):
        candidates.append(Path(os.environ["FINDUO_DATA_DIR"]))
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "data")
    for folder in candidates:
        if (folder / "german-credit" / "german.data").is_file():
            return folder
    pytest.fail("German credit data not found: set FINDUO_DATA_DIR")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return german.load_german(_data_dir(), url="http://127.0.0.1:9/never-used")


def _rate(data: pd.DataFrame, column: str) -> dict[str, tuple[float, int]]:
    grouped = data.groupby(column, observed=True)["bad"].agg(["mean", "count"])
    return {
        str(k): (round(float(m), 2), int(c))
        for k, m, c in zip(
            grouped.index, grouped["mean"], grouped["count"], strict=True
        )
    }


def test_load_german_has_readable_columns_id_and_target(data: pd.DataFrame) -> None:
    assert data.shape == (1000, 22)
    assert list(data.columns) == ["application_id", *german.COLUMNS, "bad"]
    assert data["application_id"].iloc[0] == "GC-0001"
    assert data["application_id"].is_unique
    assert int(data["bad"].sum()) == 300


def test_checking_account_uses_corrected_meaning_with_its_bad_rates(
    data: pd.DataFrame,
) -> None:
    rates = _rate(data, "checking_account")

    assert rates["no checking account"] == (0.49, 274)
    assert rates["< 0 DM"] == (0.39, 269)
    assert rates["0 to < 200 DM"] == (0.22, 63)
    assert rates[">= 200 DM or salary"] == (0.12, 394)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("credit_history", "delays in the past", (0.62, 40)),
        ("credit_history", "all credits at this bank paid duly", (0.17, 293)),
        ("savings", "no savings or unknown", (0.36, 603)),
        ("savings", ">= 1000 DM", (0.17, 183)),
        ("purpose", "others", (0.38, 234)),
        ("purpose", "car (new)", (0.17, 103)),
        ("foreign_worker", "yes", (0.11, 37)),
        ("dependants", "3 or more", (0.3, 155)),
        ("property", "code A124", (0.44, 154)),
        ("housing", "code A152", (0.26, 713)),
        ("instalment_rate", "band 4", (0.33, 476)),
    ],
)
def test_decoded_value_has_the_measured_count_and_bad_rate(
    data: pd.DataFrame, column: str, value: str, expected: tuple[float, int]
) -> None:
    assert _rate(data, column)[value] == expected


def test_numeric_columns_are_integers_in_plausible_ranges(data: pd.DataFrame) -> None:
    assert data["age_years"].between(19, 75).all()
    assert data["duration_months"].between(4, 72).all()
    assert data["credit_amount"].between(250, 18424).all()
    assert data["existing_credits"].dtype == "int64"


def test_registry_names_protected_characteristics_and_cost_matrix() -> None:
    info = get_dataset("german-credit")

    assert info.protected == ("personal_status_sex", "foreign_worker")
    assert (info.cost_bad_accepted, info.cost_good_declined) == (5.0, 1.0)
    assert (info.folds, info.repeats) == (10, 5)
    assert info.bayes_cutoff == pytest.approx(1 / 6)


def test_unknown_dataset_name_is_a_clear_error() -> None:
    from finduo.errors import ConfigError

    with pytest.raises(ConfigError, match="dataset must be one of"):
        get_dataset("no-such-data")


def test_unknown_code_in_german_data_names_row_and_field(tmp_path: Path) -> None:
    lines = (_data_dir() / "german-credit" / "german.data").read_text().splitlines()
    lines[2] = lines[2].replace("A14", "A19", 1)
    (tmp_path / "german.data").write_text("\n".join(lines) + "\n")

    with pytest.raises(DataError, match=r"row 3, field 'checking_account'.*A19"):
        german.load_german(tmp_path, url="http://127.0.0.1:9/never-used")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving a good and a corrupted copy."""
    root = tmp_path / "www"
    root.mkdir()
    source = _data_dir() / "german-credit" / "german.data"
    shutil.copy(source, root / "german.data")
    (root / "corrupt.data").write_bytes(source.read_bytes()[:-10] + b"A11 A11\n")
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("FINDUO_DATA_DIR", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "state"
    get_settings.cache_clear()


def test_missing_file_is_downloaded_into_state_and_verified(
    server: str, state: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no-data"
    empty.mkdir()

    frame = german.load_german(empty, url=f"{server}/german.data")

    saved = state / "downloads" / "german-credit" / "german.data"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == german.SHA256
    assert len(frame) == 1000
    assert int(frame["bad"].sum()) == 300


def test_download_url_comes_from_the_environment(
    server: str, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(german.URL_ENV, f"{server}/german.data")

    path = german.download_german()

    assert path == state / "downloads" / "german-credit" / "german.data"


def test_download_with_wrong_checksum_raises_and_keeps_nothing(
    server: str, state: Path
) -> None:
    with pytest.raises(DataError, match="sha256"):
        german.download_german(url=f"{server}/corrupt.data")

    folder = state / "downloads" / "german-credit"
    assert list(folder.iterdir()) == []


def test_unreachable_download_is_a_data_error(state: Path) -> None:
    with pytest.raises(DataError, match="cannot download"):
        german.download_german(url="http://127.0.0.1:9/german.data")
