"""Notifications: what happened that a user should know, in the service (every mode) and by
email (GOV.UK Notify in production, a local outbox in the embedded default), as each user
chooses. Sending runs as a background job; failures are retried and shown to the
administrator."""
