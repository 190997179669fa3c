"""REST plumbing every plugin API shares: errors, JSON parsing, throttling, the short path."""
