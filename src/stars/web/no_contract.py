"""Pages and API operations on a service with no contract loaded yet (a new service, before
`stars demo` or `stars import-tracker`).

Whatever page or operation needs the contract reads it through
``stars.partnership.selectors.contract_current``, which raises ``NoContract`` when none is
loaded. This middleware answers it, in one place, the way the home page does: the warning
that no contract is loaded and what an administrator can do, not a server error. Both
answer 409 Conflict (docs/decisions/0016-no-contract-answers-409.md): the request cannot be
met in the service's present state, which an administrator resolves by loading a tracker;
the home page stays 200, the place to start from. Under /api/ the answer is a Problem, as
the OpenAPI document declares for every operation (``stars.core.api``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from stars.core.permissions import allowed
from stars.core.security import API_PREFIX
from stars.partnership.selectors import NoContract

NO_CONTRACT = (
    "No contract is loaded yet. An administrator loads the programme's tracker on Upload a "
    "tracker, or on the server with stars import-tracker."
)


class NoContractMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, NoContract):
            return None
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": NO_CONTRACT}, status=409)
        can_upload_tracker = allowed(request.user, "upload_tracker")
        return render(
            request,
            "stars/no_contract.html",
            {"can_upload_tracker": can_upload_tracker},
            status=409,
        )
