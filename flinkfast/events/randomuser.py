"""The RandomUser API client: events fetched in pages, with bounded retries, mapped to the five
fields the job reads. Returns events; the producer sends them (flinkfast.events.producer).

See https://randomuser.me/documentation#results.
"""
from __future__ import annotations

import re
import time

import requests

from flinkfast.errors import Unavailable, one_line as _one_line

MAX_PER_REQUEST = 5000  # the API's documented limit for ?results=


# (event field, path in the API's JSON); see https://randomuser.me/documentation#results
_API_FIELDS = (
    ("uuid", ("login", "uuid")),
    ("first_name", ("name", "first")),
    ("last_name", ("name", "last")),
    ("country", ("location", "country")),
    ("age", ("dob", "age")),
)


def map_api_user(user: dict) -> dict:
    """The event for one API user. Reads only the five fields, so the API's other fields
    (postcode as a number or a string, street, timezone, ...) can change without harm."""
    event = {}
    for name, path in _API_FIELDS:
        value = user
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        where = ".".join(path)
        if value is None or value == "":
            raise Unavailable(f"malformed user from the RandomUser API: {where} is missing")
        if name == "age":
            if isinstance(value, bool):
                value = None
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise Unavailable(f"malformed user from the RandomUser API: {where} is not a number "
                                  f"({_one_line(value, 40)!r})") from None
        elif not isinstance(value, str):
            raise Unavailable(f"malformed user from the RandomUser API: {where} is not a string")
        event[name] = value
    return event


def _reason(exc: requests.RequestException) -> str:
    """The useful end of a requests error (e.g. 'Connection refused'), not urllib3's repr chain."""
    if isinstance(exc, requests.Timeout):
        return "timed out" if not isinstance(exc, requests.ConnectTimeout) else "connect timed out"
    inner = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else exc
    # urllib3 prefixes the connection object: "HTTPConnection(host=..., port=1): Failed to ..."
    return _one_line(re.sub(r"^(<[^>]*>|\w+\([^)]*\)): ", "", str(inner)))


def _get_json(session: requests.Session, url: str, params: dict, timeout: float, retries: int,
              backoff: float) -> dict:
    """One API request with retries where retrying can help: connection errors, timeouts, 5xx.

    An error body, a 4xx or a malformed answer will not get better by asking again, so those
    fail at once. The API documents `{"error": "..."}` for its own failures and sends it with
    HTTP 200 as well as with error codes, so the body is checked whatever the status.
    """
    full_url = requests.Request("GET", url, params=params).prepare().url
    last = "no attempt made"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = session.get(url, params=params, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout) as e:
            last = _reason(e)
            continue
        try:
            body = response.json()
        except ValueError:
            body = None
        api_error = body.get("error") if isinstance(body, dict) else None
        if response.status_code >= 500:
            last = f"HTTP {response.status_code}" + (f": {_one_line(api_error)}" if api_error else "")
            continue
        if api_error:
            raise Unavailable(f"the RandomUser API at {full_url} answered with an error "
                              f"(HTTP {response.status_code}): {_one_line(api_error)}")
        if response.status_code >= 400:
            raise Unavailable(f"the RandomUser API at {full_url} answered HTTP {response.status_code}: "
                              f"{_one_line(response.text, 120)}")
        if not isinstance(body, dict):
            raise Unavailable(f"the RandomUser API at {full_url} did not answer with a JSON object "
                              f"(it starts with {_one_line(response.text, 60)!r})")
        return body
    raise Unavailable(f"the RandomUser API at {full_url} is unavailable after {retries + 1} attempts; "
                      f"last failure: {last}")


def fetch_api_users(base_url: str, count: int, *, session: requests.Session | None = None,
                    timeout: float = 10.0, retries: int = 4, backoff: float = 0.5) -> list[dict]:
    """`count` events from the API, in requests of at most MAX_PER_REQUEST users.

    `timeout` bounds both connecting and each read; a failed request is retried `retries`
    times, waiting backoff, 2*backoff, 4*backoff, ... seconds in between.
    """
    session = session or requests.Session()
    events: list[dict] = []
    while len(events) < count:
        n = min(MAX_PER_REQUEST, count - len(events))
        body = _get_json(session, base_url, {"results": n}, timeout, retries, backoff)
        users = body.get("results")
        if not isinstance(users, list) or not users:
            raise Unavailable(f"the RandomUser API at {base_url} answered without a 'results' list of users")
        try:
            events.extend(map_api_user(user) for user in users[:n])
        except Unavailable as e:
            raise Unavailable(f"{e} (from {base_url})") from None
    return events
