"""SQL rendering and the rules the SQL files keep (one source of truth, no hosts, no secrets)."""
import re

import pytest

from flinkfast import config
from flinkfast.pipeline import sqlfiles
from flinkfast.config import SETTINGS
from flinkfast.paths import SQL_DIR
from flinkfast.errors import ConfigError


@pytest.fixture
def cfg(tmp_path):
    # The built-in defaults only: not the developer's .env.
    return config.load(env={"FLINK_DB_PASSWORD": "pw'x", "POSTGRES_PASSWORD": "p", "KAFKA_JOB_PASSWORD": "kjob-secret"},
                       dotenv_path=tmp_path / "none")


def test_render_escapes_quotes_so_values_cannot_end_a_literal():
    assert sqlfiles.render("'${A}'", {"A": "it's"}) == "'it''s'"


def test_render_refuses_unknown_placeholders():
    with pytest.raises(ConfigError, match="NOPE"):
        sqlfiles.render("x ${NOPE}", {})


def test_every_flink_placeholder_is_a_setting():
    names = {s.env for s in SETTINGS} | sqlfiles.COMPUTED.keys()
    for path in sqlfiles.files(sqlfiles.FLINK_DIR):
        assert sqlfiles.placeholders(sqlfiles.strip_comments(path.read_text())) <= names, path.name


def test_statements_render_from_configuration(cfg):
    statements = sqlfiles.flink_statements(cfg)
    files = [name for name, _ in statements]
    assert sorted(set(files)) == ["001_source_kafka.sql", "002_transform.sql", "003_sink_processed.sql",
                                  "004_sink_dead_letters.sql", "005_insert.sql"]
    assert files.count("002_transform.sql") == 5 and files.count("005_insert.sql") == 2  # function + 4 views
    by_file = {}
    for name, sql in statements:
        by_file.setdefault(name, []).append(sql)
    source = by_file["001_source_kafka.sql"][0]
    assert "'topic'                         = 'RandomUser'" in source
    assert "'properties.bootstrap.servers'  = '127.0.0.1:9092'" in source
    assert "'value.format'                  = 'raw'" in source
    # As the job's Kafka principal; its password masked wherever the statements are printed.
    assert "'properties.security.protocol'  = 'SASL_PLAINTEXT'" in source
    assert 'ScramLoginModule required username="job" password="kjob-secret";' in source
    masked = dict(sqlfiles.flink_statements(cfg, ("001_source_kafka.sql",), masked=True))["001_source_kafka.sql"]
    assert "kjob-secret" not in masked and 'password="****"' in masked
    sink = by_file["003_sink_processed.sql"][0]
    assert "jdbc:postgresql://127.0.0.1:5432/flink_db" in sink
    assert "'password'                   = 'pw''x'" in sink
    # Plain INSERTs into the intake views: a key would make the JDBC sink fold two messages
    # with one uuid inside a flush into one row (sql/postgres/003_ingest.sql places them).
    assert "PRIMARY KEY" not in sink and "'table-name'                 = 'processed_events_in'" in sink
    assert "PRIMARY KEY" not in by_file["004_sink_dead_letters.sql"][0]
    assert "'io.flinkfast.udf.ClassifyRow' LANGUAGE JAVA" in by_file["002_transform.sql"][0]
    assert "classify_row(payload, kafka_ts, 65536," in by_file["002_transform.sql"][1]
    assert sqlfiles.render("JSON_VALUE(txt, '$.uuid') ${KAFKA_TOPIC}", {"KAFKA_TOPIC": "t"}) == \
        "JSON_VALUE(txt, '$.uuid') t", "JSON paths are not placeholders"
    assert all(sql.startswith(("CREATE", "INSERT")) and not sql.endswith(";") for _, sql in statements)


def test_split_statements():
    assert sqlfiles.split_statements("A 'x;y';\nB;  \n\nC") == ["A 'x;y'", "B", "C"]


def test_printed_sql_masks_the_password(cfg):
    printed = "\n".join(sql for _, sql in sqlfiles.flink_statements(cfg, masked=True))
    assert "pw''x" not in printed and "'password'                   = '****'" in printed


def test_sql_files_name_no_host_and_no_password():
    for path in SQL_DIR.rglob("*.sql"):
        text = sqlfiles.strip_comments(path.read_text())
        assert not re.search(r"localhost|127\.0\.0\.1|kafka-broker|:9092|:5432", text), path
        assert not re.search(r"PASSWORD\s+'", text, re.I), path


def test_keywords_are_upper_case_in_flink_sql():
    for path in sqlfiles.files(sqlfiles.FLINK_DIR):
        text = sqlfiles.strip_comments(path.read_text())
        for word in ("create table", "select", "from", "insert into", "primary key", "with ("):
            assert not re.search(rf"\b{re.escape(word)}", text), f"{path.name}: {word}"


def test_sink_urls_carry_postgres_tls_only_when_set(tmp_path):
    """POSTGRES_SSLMODE and POSTGRES_SSLROOTCERT reach both sinks' JDBC URLs (the path URL-encoded,
    pgjdbc decodes it) and the Python clients' libpq settings; unset, neither names them."""
    from flinkfast import clients
    secrets = {"FLINK_DB_PASSWORD": "p", "KAFKA_JOB_PASSWORD": "k"}
    plain = config.load(env=secrets, dotenv_path=tmp_path / "none")
    tls = config.load(env={**secrets, "POSTGRES_SSLMODE": "verify-full", "POSTGRES_SSLROOTCERT": "/etc/pg ca/ca.crt",
                           "POSTGRES_CHANNELBINDING": "require"},
                      dotenv_path=tmp_path / "none")
    for cfg, expect in ((plain, ""), (tls, "&sslmode=verify-full&sslrootcert=/etc/pg%20ca/ca.crt&channelBinding=require")):
        statements = dict(sqlfiles.flink_statements(cfg, ("003_sink_processed.sql", "004_sink_dead_letters.sql")))
        for name, sql in statements.items():
            url = re.search(r"'url'\s*=\s*'([^']*)'", sql).group(1)
            assert url.endswith("tcpKeepAlive=true" + expect), (name, url)
    assert clients.pg_tls_settings(plain) == {}
    assert clients.pg_tls_settings(tls) == {"sslmode": "verify-full", "sslrootcert": "/etc/pg ca/ca.crt",
                                            "channel_binding": "require"}
    with pytest.raises(ConfigError, match="POSTGRES_CHANNELBINDING='yes' must be empty or one of"):
        config.load(env={**secrets, "POSTGRES_CHANNELBINDING": "yes"}, dotenv_path=tmp_path / "none")
    with pytest.raises(ConfigError, match="POSTGRES_SSLMODE='verify_full' must be empty or one of"):
        config.load(env={**secrets, "POSTGRES_SSLMODE": "verify_full"}, dotenv_path=tmp_path / "none")
