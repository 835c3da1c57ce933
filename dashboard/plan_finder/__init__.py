"""The Plan finder page: a small search for the best plan on the session's scenario."""
