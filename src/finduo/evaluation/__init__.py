"""Honest evaluation: repeated stratified CV, metrics, baseline, strategy table."""

from finduo.evaluation.baseline import BaselineLogit
from finduo.evaluation.cv import Evaluation, cross_validate, evaluate_dataset, fold_plan
from finduo.evaluation.metrics import auc, bayes_cutoff, brier, expected_cost, ks
from finduo.evaluation.strategy import (
    cutoff_table,
    dataset_strategy_table,
    strategy_table,
)

__all__ = [
    "BaselineLogit",
    "Evaluation",
    "auc",
    "bayes_cutoff",
    "brier",
    "cross_validate",
    "cutoff_table",
    "dataset_strategy_table",
    "evaluate_dataset",
    "expected_cost",
    "fold_plan",
    "ks",
    "strategy_table",
]
