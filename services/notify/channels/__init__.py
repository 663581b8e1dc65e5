"""Adapters to the outside world: SMTP, the SMS provider, DNS for webhook URLs."""
