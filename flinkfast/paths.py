"""Where the project keeps things. Standard library only: `make setup` imports it before .venv exists."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
CACHE = REPO_ROOT / ".cache"
JARS = CACHE / "jars"
FLINK_JARS = JARS / "flink"      # connectors and the JDBC driver: Flink's lib/ (pom.xml profile flink)
KAFKA_JARS = JARS / "kafka"      # the broker and ZooKeeper classpath (pom.xml profile kafka)
SQLCLIENT_JARS = JARS / "sqlclient"  # the SQL client's gateway classes (pom.xml profile sqlclient)
UDF_DIR = REPO_ROOT / "udf"      # the job's Java function and COPY sink (udf/pom.xml, child of pom.xml)
UDF_JAR = JARS / "udf" / "flinkfast-udf.jar"


def job_jars() -> list[Path]:
    """Every jar the job needs besides Flink's own: on the cluster's lib/ and, for an embedded
    mini-cluster, in pipeline.jars."""
    return [*sorted(FLINK_JARS.glob("*.jar")), *([UDF_JAR] if UDF_JAR.is_file() else [])]
