"""Reliability tests: crashes, concurrency, hostile input, migrations (marker ``reliability``)."""
