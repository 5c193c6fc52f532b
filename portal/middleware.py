from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    """Answer 503 with the site's own page when the database cannot be reached.

    The page is rendered without touching the database (no context processors that query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)) and not _is_lock_error(exception):
            html = render_to_string("503.html", {"request": request})
            response = HttpResponse(html, status=503)
            response["Retry-After"] = "60"
            return response
        return None


def _is_lock_error(exception: DatabaseError) -> bool:
    return "locked" in str(exception).lower()
