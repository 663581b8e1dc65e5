"""Background loops that send what the consumer wrote: webhooks, hand-offs, notices."""
