"""Who may do what: roles, the permission table, tokens and passwords.

The API, the CLI and the console share these; the store keeps users and the
hashes of tokens (:meth:`finduo.store.Store.identity_for_token`).
"""

from finduo.identity.roles import PERMISSIONS, Identity, Permission, Role, parse_roles
from finduo.identity.tokens import token_from_header

__all__ = [
    "PERMISSIONS",
    "Identity",
    "Permission",
    "Role",
    "parse_roles",
    "token_from_header",
]
