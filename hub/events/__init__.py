"""Events that are never lost (issue 16): the transactional outbox, its catalogue of event types,
signed webhooks with retries, the delivery workers and subscriptions fed from the outbox."""
