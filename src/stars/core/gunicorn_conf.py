"""gunicorn's configuration for `stars serve` (``-c python:stars.core.gunicorn_conf``).

The master process only reads this; each worker loads the app itself after the fork
(``preload_app`` off): the app imports Polars, whose background threads would not survive
a fork, and a worker forked from a master holding them hangs when it exits.
"""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")

wsgi_app = "stars.core.wsgi:application"
preload_app = False
# A request taking longer than this is stopped (and logged); long work is a job.
timeout = 120
graceful_timeout = 30
control_socket_disable = True
proc_name = "stars"
logconfig_dict = settings.LOGGING  # JSON lines in production (stars.core.logs)
