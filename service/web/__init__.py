"""The web pages (网页): server-rendered HTML over the same application services as the API."""
