"""A store with users of each role and a decided German-credit history."""

from seeded_store import KEY, USERS, history, seeded_db, store

__all__ = ["KEY", "USERS", "history", "seeded_db", "store"]
