"""A limit on the size of a request body, enforced before anything reads it.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only bounds form fields kept in memory and
``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides when an upload goes to a temporary file: a
150 MB upload was received in full before a form refused it. Here a request whose
``Content-Length`` is over ``REQUEST_MAX_BYTES`` (default 32 MiB: a 30 MiB thesis
passes) is answered 413 at once, its body unread.

A chunked body carries no ``Content-Length``. Django never parses a form or an upload
beyond the announced length (none: an empty form), and its WSGI request stream is limited
to that length, so a chunked upload cannot go past the limit. When the server says the
input ends by itself (``wsgi.input_terminated``, as gunicorn does after decoding the
chunks), a view reading ``request.body`` reads through a stream that stops at the limit,
and the request is answered 413 when it goes beyond. nginx's
``client_max_body_size`` (see the README) refuses it before it even reaches a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation

# A thesis may weigh 30 MiB (studies.services.internships.MAX_PDF), with its form around it.
REQUEST_MAX_BYTES = 32 * 1024 * 1024


def request_max_bytes() -> int:
    return int(getattr(settings, "REQUEST_MAX_BYTES", REQUEST_MAX_BYTES))


class _CappedStream:
    """Reads from ``stream`` and fails, remembering it, past ``limit`` bytes."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.limit, self.read_so_far, self.exceeded = stream, limit, 0, False

    def _count(self, data: bytes) -> bytes:
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            self.exceeded = True
            raise RequestDataTooBig("The request body is over REQUEST_MAX_BYTES.")
        return data

    def read(self, size: int = -1) -> bytes:
        # Never more than one byte past the limit from the socket, whatever is asked.
        room = self.limit + 1 - self.read_so_far
        return self._count(self.stream.read(room if size is None or size < 0 else min(size, room)))

    def close(self) -> None:
        self.stream.close()

    def readline(self, size: int = -1) -> bytes:
        room = self.limit + 1 - self.read_so_far
        return self._count(self.stream.readline(room if size < 0 else min(size, room)))


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = request_max_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, limit)
        capped = None
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not length and chunked and request.META.get("wsgi.input_terminated"):
            capped = _CappedStream(request.META["wsgi.input"], limit)
            request._stream = capped  # type: ignore[assignment]
        response = self.get_response(request)
        if capped is not None and capped.exceeded:
            # Django answered 400 for the RequestDataTooBig raised while reading: say why.
            return too_large(request, limit)
        return response


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    # This runs before the locale middleware: the language is read from the request here.
    with translation.override(translation.get_language_from_request(request)):
        body = render_to_string("413.html", {"limit": filesizeformat(limit)})
    return HttpResponse(body, status=413)
