"""PostgreSQL: where it is, the results' database, and its roles (each with its own password)."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option

# libpq's and pgjdbc's sslmode values (POSTGRES_SSLMODE); empty: each client's own default (prefer).
POSTGRES_SSLMODES = ("", "disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq's channel_binding and pgjdbc's channelBinding values (POSTGRES_CHANNELBINDING; pgjdbc 42.7.8
# PGProperty.CHANNEL_BINDING); empty: each client's own default (prefer).
POSTGRES_CHANNELBINDINGS = ("", "disable", "prefer", "require")


@dataclass(frozen=True)
class Postgres:
    postgres_host: str = option("127.0.0.1", "PostgreSQL host")
    postgres_port: int = option(5432, "PostgreSQL port")
    postgres_db: str = option("flink_db", "database of the results")
    # TLS to PostgreSQL, the same for every client: the job's sinks (pgjdbc URL parameters sslmode and
    # sslrootcert) and the Python clients (libpq). Empty: each driver's default (prefer: TLS if the
    # server offers it, unchecked); Kubernetes sets verify-full with CloudNativePG's CA.
    postgres_sslmode: str = option("", "TLS to PostgreSQL: empty (the drivers' default, prefer), disable, allow, prefer, "
                                       "require, verify-ca or verify-full")
    postgres_sslrootcert: str = option("", "CA certificate (PEM) the PostgreSQL clients check the server against "
                                           "(verify-ca, verify-full); empty: the drivers' default")
    postgres_channelbinding: str = option("", "SCRAM channel binding to PostgreSQL (over TLS): empty (the drivers' "
                                              "default, prefer), disable, prefer or require; require: a server "
                                              "whose certificate was forged gets no usable password proof")
    postgres_user: str = option("postgres", "PostgreSQL superuser: applies the schema (sql/postgres), nothing else")
    postgres_password: str | None = option(None, "password of POSTGRES_USER", secret=True)
    flink_db_user: str = option("flink_writer", "role the Flink sink writes as: INSERT into the two intake views only")
    flink_db_password: str | None = option(None, "password of FLINK_DB_USER", secret=True)
    reader_db_user: str = option("flinkfast_reader", "read-only role of the dashboard, the report, reconcile and "
                                                     "status")
    reader_db_password: str | None = option(None, "password of READER_DB_USER", secret=True)
    peer_db_user: str = option("flinkfast_peer", "role the benchmark's peers (quixstreams, pathway, bytewax) write as, "
                                                 "in the benchmark's database only (sql/bench/009_peer_role.sql)")
    peer_db_password: str | None = option(None, "password of PEER_DB_USER", secret=True)
