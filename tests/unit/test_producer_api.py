"""The API path against a local HTTP server that answers like randomuser.me: no internet needed.

The server builds users in the documented shape from tests/data, and can be told to fail
in the ways the real API does (error body, 503, garbage, slow) for a number of requests.
"""
import copy
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from flinkfast.paths import REPO_ROOT

from flinkfast.events import producer
from flinkfast.errors import Unavailable

ROOT = REPO_ROOT
SAMPLE = json.loads((ROOT / "tests" / "data" / "randomuser_response.json").read_text(encoding="utf-8"))
API_ERROR = "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."
FAST = dict(timeout=2.0, retries=2, backoff=0.01)


def documented_body(n: int) -> dict:
    users = []
    for i in range(n):
        user = copy.deepcopy(SAMPLE["results"][i % len(SAMPLE["results"])])
        user["login"]["uuid"] = str(uuid.uuid4())
        users.append(user)
    return {"results": users, "info": {"seed": "abc123", "results": n, "page": 1, "version": "1.4"}}


class FakeApi:
    """Answers GET /api/?results=N. `failures` is a list of (status, body bytes, delay s) used one
    per request before it answers normally; `always` replaces the normal answer."""

    def __init__(self):
        self.requests: list[int] = []
        self.failures: list[tuple[int, bytes, float]] = []
        self.always: tuple[int, bytes, float] | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                n = int(parse_qs(urlparse(self.path).query).get("results", ["1"])[0])
                api.requests.append(n)
                if api.failures:
                    status, body, delay = api.failures.pop(0)
                elif api.always:
                    status, body, delay = api.always
                else:
                    status, body, delay = 200, json.dumps(documented_body(n)).encode(), 0
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        # shutdown() waits up to one poll interval (0.5 s by default): each test's teardown
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api():
    server = FakeApi()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_maps_documented_users(api):
    events = producer.fetch_api_users(api.url, 5, **FAST)
    assert len(events) == 5 and api.requests == [5]
    assert [e["first_name"] for e in events[:3]] == ["Ярослава", "امیر", "Sølvi"]
    assert all(set(e) == {"uuid", "first_name", "last_name", "country", "age"} for e in events)


def test_large_count_is_split_into_requests_of_at_most_5000(api):
    events = producer.fetch_api_users(api.url, 12_001, **FAST)
    assert len(events) == 12_001
    assert len({e["uuid"] for e in events}) == 12_001
    assert len(api.requests) >= 3 and all(n <= 5000 for n in api.requests) and sum(api.requests) == 12_001


@pytest.mark.parametrize("status", [200, 500])
def test_error_body_is_a_clear_error(api, status):
    api.always = (status, json.dumps({"error": API_ERROR}).encode(), 0)
    with pytest.raises(Unavailable, match="Uh oh, something has gone wrong") as e:
        producer.fetch_api_users(api.url, 3, **FAST)
    assert api.url in str(e.value) and "\n" not in str(e.value)


def test_503_twice_then_success(api):
    api.failures = [(503, b"Service Unavailable", 0), (503, b"Service Unavailable", 0)]
    events = producer.fetch_api_users(api.url, 4, **FAST)
    assert len(events) == 4 and len(api.requests) == 3


def test_always_503_fails_after_retries(api):
    api.always = (503, b"<html>Service Unavailable</html>", 0)
    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"after 3 attempts; last failure: HTTP 503") as e:
        producer.fetch_api_users(api.url, 4, **FAST)
    assert len(api.requests) == 3 and api.url in str(e.value)
    assert time.monotonic() - started < 5


def test_invalid_json_is_a_clear_error(api):
    api.always = (200, b"<html>this is not json</html>", 0)
    with pytest.raises(Unavailable, match="did not answer with a JSON object"):
        producer.fetch_api_users(api.url, 2, **FAST)
    assert len(api.requests) == 1  # retrying would not help


@pytest.mark.parametrize("body", [{"info": {}}, {"results": "nope"}, {"results": []}, [1, 2]])
def test_response_without_results_list_is_a_clear_error(api, body):
    api.always = (200, json.dumps(body).encode(), 0)
    with pytest.raises(Unavailable, match="results|JSON object"):
        producer.fetch_api_users(api.url, 2, **FAST)


def test_user_missing_a_field_is_a_clear_error(api):
    body = documented_body(2)
    del body["results"][1]["dob"]["age"]
    api.always = (200, json.dumps(body).encode(), 0)
    with pytest.raises(Unavailable, match=r"dob\.age is missing"):
        producer.fetch_api_users(api.url, 2, **FAST)


def test_4xx_is_not_retried(api):
    api.always = (404, b"not found", 0)
    with pytest.raises(Unavailable, match="HTTP 404"):
        producer.fetch_api_users(api.url, 2, **FAST)
    assert len(api.requests) == 1


def test_read_timeout_is_retried_then_a_clear_error(api):
    api.always = (200, json.dumps(documented_body(1)).encode(), 1.5)
    with pytest.raises(Unavailable, match="after 2 attempts; last failure: timed out"):
        producer.fetch_api_users(api.url, 1, timeout=0.3, retries=1, backoff=0.01)


def test_connection_refused_is_a_clear_error():
    url = f"http://127.0.0.1:{closed_port()}/api/"
    with pytest.raises(Unavailable, match=r"(?i)after 3 attempts; last failure: .*refused") as e:
        producer.fetch_api_users(url, 2, **FAST)
    assert url in str(e.value) and "\n" not in str(e.value)


def run_cli(*args, timeout=60):
    return subprocess.run([sys.executable, str(ROOT / "producer_api.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_cli_error_body_is_one_line_and_exit_3(api):
    api.always = (200, json.dumps({"error": API_ERROR}).encode(), 0)
    out = run_cli("--source", "api", "--count", "3", "--randomuser-api-url", api.url, "--quiet")
    assert out.returncode == 3, out.stderr
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len([line for line in lines if line.startswith("producer_api: error:")]) == 1
    assert "Uh oh" in out.stderr and api.url in out.stderr


def test_cli_api_url_from_environment(api, monkeypatch):
    api.always = (200, b"garbage", 0)
    monkeypatch.setenv("RANDOMUSER_API_URL", api.url)
    out = run_cli("--source", "api", "--count", "2", "--quiet")
    assert out.returncode == 3 and "did not answer with a JSON object" in out.stderr
    assert "Traceback" not in out.stderr
