"""The HTTP routers, one per part of API.md."""
