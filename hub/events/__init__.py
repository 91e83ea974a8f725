"""Events that are never lost (issue 16): the catalogue of event types, signed webhooks with retries, the
delivery workers and subscriptions fed from the transactional outbox (hub.outbox, written by hub.mutation)."""
