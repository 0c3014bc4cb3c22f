"""What-if simulation: replay a policy over stored decisions and outcomes."""

from finduo.simulation.replay import (
    DecisionColumns,
    Replay,
    columns_from_records,
    is_feature_flag,
    replay_policy,
)
from finduo.simulation.summary import SWAP_IN_NOTE, Simulation, SwapSet, simulate

__all__ = [
    "SWAP_IN_NOTE",
    "DecisionColumns",
    "Replay",
    "Simulation",
    "SwapSet",
    "columns_from_records",
    "is_feature_flag",
    "replay_policy",
    "simulate",
]
