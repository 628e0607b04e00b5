"""Delivery: the weekly e-mail (compose, outbox, SMTP) and its schedule."""
