"""Background jobs: Django's tasks framework (the ``django-tasks`` backport) with its database
backend, the worker that runs them (``stars worker``) and the worker's heartbeat.

A job is a function decorated with ``django_tasks.task`` in the ``tasks`` module of the app
that owns the work; ``.enqueue(...)`` stores it in the database (SQLite or PostgreSQL alike)
and a worker runs it. See README.md, "Background jobs".
"""
