"""Requests over REQUEST_MAX_BYTES are answered 413 before their body is read."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from core.limits import RequestSizeLimitMiddleware


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read  # type: ignore[assignment]


@pytest.mark.django_db
def test_a_body_announced_over_the_limit_is_refused_413_unread(settings):
    settings.REQUEST_MAX_BYTES = 1000
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "a@example.dz", "password": "x" * 5000},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "1000 bytes" in html or "1,000 bytes" in html or "1000\xa0bytes" in html
    # Translated from the request's language, before the locale middleware ran.
    french = client.post(reverse("account_login"), {"password": "x" * 5000}).content.decode()
    assert "trop volumineux" in french
    # Under the limit, the same page answers as usual.
    assert client.post(reverse("account_login"), {"login": "a@example.dz"}).status_code != 413


def test_the_check_happens_before_anything_reads_the_body(settings, rf: RequestFactory):
    settings.REQUEST_MAX_BYTES = 1000
    request = rf.post("/anything/", data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = "150000000"
    request._stream = Untouchable()  # type: ignore[assignment]

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the view ran")

    assert RequestSizeLimitMiddleware(view)(request).status_code == 413


def _chunked(rf: RequestFactory, body: bytes) -> HttpRequest:
    """A chunked request as gunicorn hands it over: no Content-Length, the decoded body as
    a stream that ends by itself (wsgi.input_terminated)."""
    request = rf.generic(
        "POST", "/api/", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    request.META.pop("CONTENT_LENGTH", None)
    request.META["wsgi.input"] = io.BytesIO(body)
    request.META["wsgi.input_terminated"] = True
    return request


def _body_size(request: HttpRequest) -> HttpResponse:
    # Wrapped as Django wraps every layer: RequestDataTooBig becomes a 400 on its way out.
    return HttpResponse(str(len(request.body)))


def test_a_chunked_body_past_the_limit_is_refused_413(settings, rf: RequestFactory):
    settings.REQUEST_MAX_BYTES = 100_000
    response = RequestSizeLimitMiddleware(convert_exception_to_response(_body_size))(
        _chunked(rf, b"x" * 300_000)
    )
    assert response.status_code == 413


def test_a_chunked_body_under_the_limit_is_read_whole(settings, rf: RequestFactory):
    settings.REQUEST_MAX_BYTES = 100_000
    response = RequestSizeLimitMiddleware(convert_exception_to_response(_body_size))(
        _chunked(rf, b"x" * 50_000)
    )
    assert response.status_code == 200
    assert isinstance(response, HttpResponse)
    assert response.content == b"50000"


def test_a_chunked_upload_is_never_parsed_so_it_cannot_pass_the_limit(settings, rf):
    """Django parses a form or an upload only up to its Content-Length: none, nothing."""
    settings.REQUEST_MAX_BYTES = 100_000
    request = _chunked(rf, b"--X\r\n" + b"x" * 300_000)
    request.META["CONTENT_TYPE"] = "multipart/form-data; boundary=X"

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"{len(request.POST)} {len(request.FILES)}")

    response = RequestSizeLimitMiddleware(view)(request)
    assert isinstance(response, HttpResponse)
    assert response.content == b"0 0"


def test_the_default_limit_lets_the_largest_upload_through():
    from core.limits import request_max_bytes
    from studies.services.internships import MAX_PDF

    assert request_max_bytes() == 32 * 1024 * 1024
    assert request_max_bytes() > MAX_PDF + 1024 * 1024
