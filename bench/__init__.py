"""The sign-off throughput benchmark (`make bench`); results in docs/PERFORMANCE.md."""
