"""The reviewer console: the human half of the duo, in the browser.

Mounted by the API under ``/console`` (:func:`mount_console`).
"""

from finduo.console.app import create_console, mount_console

__all__ = ["create_console", "mount_console"]
