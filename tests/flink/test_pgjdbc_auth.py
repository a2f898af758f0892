"""The sinks' pgjdbc connections (the exact URL and options of sql/flink/003 and 004) refuse a server that
asks for the password in cleartext or as MD5 -- what a process bound to PostgreSQL's port while it is
down would ask -- without sending it (udf/.../sink/ScramOnly.java). A control shows the fake server does
get the password from the same URL without that option. Against the real server (SCRAM) the same URL
connects: tests/e2e/test_security_pg_auth_e2e.py."""
from __future__ import annotations

import pytest

from tests.flink.fake_postgres import CLEARTEXT, MD5, FakePostgres
from tests.flink.pgjdbc_probe import SINKS, connect, sink_options

pytestmark = pytest.mark.flink

AUTHS = {"cleartext": CLEARTEXT, "md5": MD5}


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("sink", SINKS)
def test_the_sinks_url_refuses_to_send_the_password(cfg, tmp_path, sink, auth):
    with FakePostgres(AUTHS[auth]) as fake:
        options = sink_options(cfg.replace(postgres_port=fake.port))[sink]
        said = connect(options["url"], options["username"], options["password"], tmp_path)
    assert said.startswith("REFUSED") and "only SCRAM" in said, said
    assert fake.startups, "the driver never reached the fake server"
    sent = b"".join(fake.after_request)
    assert options["password"].encode() not in sent and not sent.startswith(b"p"), sent


def test_control_without_the_option_the_fake_server_gets_the_password(cfg, tmp_path):
    with FakePostgres(CLEARTEXT) as fake:
        options = sink_options(cfg.replace(postgres_port=fake.port))["processed_events_sink"]
        url = options["url"].replace("&authenticationPluginClassName=io.flinkfast.sink.ScramOnly", "")
        assert url != options["url"]
        connect(url, options["username"], options["password"], tmp_path)
    assert options["password"].encode() in b"".join(fake.after_request)
