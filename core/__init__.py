"""Helpers every app may use that are not about accounts: worker heartbeats, atomic file
storage, a cache that survives its server's outage, request ids in the logs."""
