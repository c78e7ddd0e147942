"""Background jobs: work that must not block a request, written in the transaction that needs it."""
