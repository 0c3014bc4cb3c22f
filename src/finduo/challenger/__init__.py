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

:class:`ChampionChallenger` wraps two engines for one application at a time.
What ``finduo decide`` and the API use is :mod:`finduo.challenger.live`: the
challenger an approver started (a store setting) and
:class:`~finduo.challenger.live.RoutedEngine`, which routes single
applications and batches alike, in input order.
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
