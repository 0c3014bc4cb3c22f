"""Champion / challenger: a share of live traffic, or a shadow, for a candidate.

Assignment is random but reproducible: a hash of the application id and a
salt gives a uniform number in [0, 1); below ``share`` the application goes to
the challenger. The same application id always lands on the same side, in any
batch and any process, and the side is recorded on the decision
(``Decision.variant``: champion, challenger or shadow).

Modes:

* ``split``: the challenger decides its share of applications and that
  decision is acted on (returned and stored with ``variant="challenger"``);
* ``shadow``: the champion decides every application; the challenger also
  scores every one (or its share), and its decision is stored with
  ``variant="shadow"`` — never returned, never acted on.

The hook into the decision engine is :class:`ChampionChallenger`, which wraps
two :class:`~finduo.decisions.engine.Engine` objects and offers the same
``decide`` entry point, so the API and the CLI can use either.
"""

from finduo.challenger.assign import (
    ChallengerConfig,
    assign_variant,
    assignment_draw,
)
from finduo.challenger.router import ChampionChallenger

__all__ = [
    "ChallengerConfig",
    "ChampionChallenger",
    "assign_variant",
    "assignment_draw",
]
