"""The JSON API of API.md: its routers, dependencies, idempotency and OpenAPI links."""
