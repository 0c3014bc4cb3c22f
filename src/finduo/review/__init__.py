"""Review: the queue of cases, one case, and its resolution, over the store.

Used by the CLI (``finduo cases ...``), the API and the console::

    service = ReviewService(store)
    view = service.queue(QueueFilter(band="C"))    # QueueView: items, counts
    case = service.show(case_id)                  # Case with decision, data
    resolution = service.resolve(case_id, outcome="approve",
                                 reason_code="COLLATERAL", reviewer="anna")

A resolution whose outcome differs from the decision's recommendation is an
override (decided by the store, in the same transaction as the resolution).
The CLI, the API and the console all resolve through :meth:`ReviewService.resolve`,
so they share its rules: an approval without (all) terms gets the rest from
the decision's band (:mod:`finduo.review.terms`); the store refuses reason
code ``OTHER`` without a comment and names the field.
"""

from finduo.review.service import (
    STATUS_CHOICES,
    QueueFilter,
    QueueItem,
    QueueView,
    ReviewService,
    effective_priority,
    referral_priority,
    waiting_time,
)

__all__ = [
    "STATUS_CHOICES",
    "QueueFilter",
    "QueueItem",
    "QueueView",
    "ReviewService",
    "effective_priority",
    "referral_priority",
    "waiting_time",
]
