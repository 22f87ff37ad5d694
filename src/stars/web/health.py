"""``/healthz``: is the service able to serve and run jobs? For load balancers and monitors.

Open without signing in, so it says nothing about the records: only whether the database
answers and whether a job worker is alive (its heartbeat), as JSON, with 200 when both are
well and 503 otherwise.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stars.jobs.selectors import worker_health


def _database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    if database["ok"]:
        try:
            jobs = worker_health().as_json()
        except DatabaseError as exc:
            jobs = {"ok": False, "error": type(exc).__name__}
    else:
        jobs = {"ok": False, "error": "database unavailable"}
    ok = bool(database["ok"] and jobs["ok"])
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "database": database, "jobs": jobs},
        status=200 if ok else 503,
    )
