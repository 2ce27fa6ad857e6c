"""Where the service's state is kept: the event store's recorders and settings, and the
SQLAlchemy engines of the read models, on SQLite or PostgreSQL by one database URL."""
