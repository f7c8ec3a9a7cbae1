"""A Redis outage degrades, it does not break: with the cache server stopped, log-in and the
public verification page still answer (and their limits still count, in the process's own
memory), /healthz says the cache is down, and Redis is used again once it is back."""

from __future__ import annotations

import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import workers
from tests.helpers import free_port, redis_server_binary

pytestmark = pytest.mark.django_db


def start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture
def redis_cache(settings):
    port = free_port()
    proc = start_redis(port)
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"RETRY_AFTER": 0.5},
        }
    }
    state: dict = {"proc": proc, "port": port}
    yield state
    if state["proc"].poll() is None:
        state["proc"].terminate()
        state["proc"].wait(timeout=10)


def stop(state: dict) -> None:
    state["proc"].terminate()
    state["proc"].wait(timeout=10)


def test_login_and_verification_answer_while_the_cache_is_down_and_limits_still_count(
    client, make_user, redis_cache
):
    user = make_user("student")
    cache.set("before", "in redis")
    stop(redis_cache)

    responses = [
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
        for _ in range(7)
    ]
    # Never a 500; the account's limit (5 failures in 300 s) is counted in memory while Redis
    # is away, so the sixth attempt is refused as too many.
    assert [r.status_code for r in responses] == [200] * 7
    too_many = "Trop de tentatives de connexion échouées"
    assert [too_many in r.content.decode() for r in responses] == [False] * 5 + [True] * 2

    response = client.get(reverse("certificates:verify", args=["ABCD-EFGH-JKMN-PQ"]))
    assert response.status_code == 404
    assert cache.get("before") is None  # the fallback does not pretend to have Redis's data


def test_healthz_says_degraded_while_the_cache_is_down_and_ok_once_it_is_back(client, redis_cache):
    now = timezone.now()
    workers.beat("healthz-test-host:1:abcd", role="child", started_at=now)
    assert client.get(reverse("healthz")).json()["checks"]["cache"] == "ok"

    stop(redis_cache)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["down"] == ["cache"]

    redis_cache["proc"] = start_redis(redis_cache["port"])
    time.sleep(0.6)  # RETRY_AFTER: the next call tries Redis again
    cache.set("after", "in redis again")
    assert redis.Redis(port=redis_cache["port"]).exists(":1:after") == 1
    assert client.get(reverse("healthz")).json()["status"] == "ok"
