"""Which model decides: the promoted one, else the newest trained champion.

One rule for the CLI, the demo and the API. The store's **active** model of
the policy's champion kind comes first (promoted by a second user, see
:mod:`finduo.lifecycle.models`); only where none was ever promoted does the
newest saved model of that kind decide — preferably one trained on the data
set the policy is named after.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from finduo.errors import ConfigError
from finduo.lifecycle.models import active_model_path
from finduo.policy.loader import LoadedPolicy

logger = logging.getLogger(__name__)


def champion_folder(
    policy: LoadedPolicy,
    *,
    store: Any = None,
    models_dir: Path | None = None,
    dataset: str | None = None,
) -> Path:
    """Folder of the model that decides under ``policy``.

    Parameters
    ----------
    policy : LoadedPolicy
        Its ``champion`` names the model kind (lightgbm or scorecard).
    store : Store, optional
        Where promoted model versions are kept; without one, only saved
        models are looked at.
    models_dir : Path, optional
        Folder of saved models; default the state folder's ``models``.
    dataset : str, optional
        Only models trained on this data set.

    Raises
    ------
    ConfigError
        When no model of the champion kind is promoted or saved, or the
        promoted model's folder is gone.
    """
    from finduo.models import list_models
    from finduo.models.artifacts import models_dir as default_models_dir

    kind = policy.policy.champion
    if store is not None:
        promoted = (
            active_model_path(store, kind, dataset)
            if dataset
            else active_model_path(store, kind, policy.policy.name)
            or active_model_path(store, kind)
        )
        if promoted is not None:
            if not (promoted / "meta.json").is_file():
                raise ConfigError(
                    f"the active {kind} model's folder {promoted} holds no model; "
                    "promote another version (finduo model promote) or restore it",
                    path=str(promoted),
                )
            logger.info("champion: the promoted %s model in %s", kind, promoted)
            return promoted
    found = (
        list_models(kind, dataset, models_dir)
        if dataset
        else list_models(kind, policy.policy.name, models_dir)
        or list_models(kind, None, models_dir)
    )
    if not found:
        on = f" on {dataset!r}" if dataset else ""
        raise ConfigError(
            f"no trained {kind} model{on} in {default_models_dir(models_dir)}: "
            f"run `finduo train` first (the policy {policy.version} names {kind} "
            "as its champion), or pass --model FOLDER"
        )
    return Path(found[0]["folder"])


__all__ = ["champion_folder"]
