"""The security suite uses the HTTP tests' fast copies of the small mine (`api`)."""

from tests.e2e.conftest import api, settings, world_users, worlds

__all__ = ["api", "settings", "world_users", "worlds"]
