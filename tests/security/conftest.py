"""The security suite uses the HTTP tests' fast copies of the small mine (`api`)."""

from tests.e2e.conftest import api, client, settings, world_users, worlds

__all__ = ["api", "client", "settings", "world_users", "worlds"]
