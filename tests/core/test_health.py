"""/healthz reports the database and the broker: 200 when both answer, 503 naming what is down."""

from __future__ import annotations

import subprocess
import time

import pytest
import redis
from django.urls import reverse

from tests.helpers import free_port, redis_server_binary

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_and_the_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "down": [],
    }


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which the test may stop."""
    port = free_port()
    proc = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield port, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def test_healthz_is_503_naming_the_broker_when_redis_is_stopped(client, settings, own_redis):
    port, proc = own_redis
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    assert client.get(reverse("healthz")).status_code == 200

    proc.terminate()
    proc.wait(timeout=10)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"] == {"database": "ok", "broker": "down"}
    assert response["Cache-Control"].startswith("max-age=0")
