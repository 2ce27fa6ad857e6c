"""The HTTP service, its settings, authentication, CLI and projection runners."""
