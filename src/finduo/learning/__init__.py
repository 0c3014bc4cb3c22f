"""Learning from outcomes: retraining from the store and reject inference."""

from finduo.learning.reject_inference import (
    METHODS,
    Augmented,
    augment,
    fuzzy_augment,
    parcel,
    parcel_augment,
)

__all__ = [
    "METHODS",
    "Augmented",
    "augment",
    "fuzzy_augment",
    "parcel",
    "parcel_augment",
]
