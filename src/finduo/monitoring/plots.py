"""Plots as inline SVG text (matplotlib, headless), for the console and reports.

Each function returns an ``<svg>`` document as a string, ready to embed in
HTML; nothing is written to disk and no display is needed.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from finduo.monitoring.psi import PSI_MODERATE, PSI_SIGNIFICANT

_SIZE = (5.0, 3.6)


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def roc_svg(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """ROC curves, one per name: ``{name: (fpr, tpr)}``."""
    fig, ax = plt.subplots(figsize=_SIZE)
    for name, (fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (bads flagged)")
    ax.set_title("ROC")
    ax.legend(loc="lower right", fontsize="small")
    return _svg(fig)


def calibration_svg(tables: dict[str, pd.DataFrame]) -> str:
    """Observed bad rate against mean pd per bin (see ``calibration_table``)."""
    fig, ax = plt.subplots(figsize=_SIZE)
    top = 0.0
    for name, t in tables.items():
        ax.plot(t["mean_pd"], t["bad_rate"], marker="o", label=name)
        top = max(top, float(t["mean_pd"].max()), float(t["bad_rate"].max()))
    top = min(1.0, top * 1.1 + 0.01)
    ax.plot([0, top], [0, top], linestyle=":", color="grey", label="perfect")
    ax.set_xlabel("mean predicted pd")
    ax.set_ylabel("observed bad rate")
    ax.set_title("Calibration")
    ax.legend(loc="upper left", fontsize="small")
    return _svg(fig)


def psi_svg(psi_frame: pd.DataFrame, top: int = 15) -> str:
    """Horizontal bars of PSI per characteristic with the 0.10 / 0.25 lines."""
    t = psi_frame.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(_SIZE[0], 0.3 * len(t) + 1.2))
    colours = [
        "#c0392b"
        if v >= PSI_SIGNIFICANT
        else "#e67e22"
        if v >= PSI_MODERATE
        else "#2e86c1"
        for v in t["psi"]
    ]
    ax.barh(t["characteristic"], t["psi"], color=colours)
    ax.axvline(PSI_MODERATE, linestyle="--", color="#e67e22", linewidth=1)
    ax.axvline(PSI_SIGNIFICANT, linestyle="--", color="#c0392b", linewidth=1)
    ax.set_xlabel("PSI")
    ax.set_title("Population stability")
    return _svg(fig)


def vintage_svg(vintages: pd.DataFrame) -> str:
    """Cumulative bad rate by months on book, one line per vintage."""
    fig, ax = plt.subplots(figsize=_SIZE)
    months = [c for c in vintages.columns if c != "n"]
    for vintage, row in vintages.iterrows():
        ax.plot(months, row[months].to_numpy(float), marker=".", label=str(vintage))
    ax.set_xlabel("months since decision")
    ax.set_ylabel("cumulative bad rate")
    ax.set_title("Vintage curves")
    if len(vintages) <= 12:
        ax.legend(fontsize="x-small")
    return _svg(fig)


def bars_svg(labels: list[str], values: list[float], title: str, xlabel: str) -> str:
    """Simple horizontal bar chart (e.g. approval rate by group)."""
    fig, ax = plt.subplots(figsize=(_SIZE[0], 0.3 * len(labels) + 1.2))
    ax.barh(labels, values, color="#2e86c1")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _svg(fig)


__all__ = ["bars_svg", "calibration_svg", "psi_svg", "roc_svg", "vintage_svg"]
