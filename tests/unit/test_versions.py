"""One version manifest: pom.xml. Everything else must agree with it."""
import re

from flinkfast import versions
from flinkfast.paths import REPO_ROOT
from flinkfast.paths import JARS


def requirement(name: str) -> str:
    text = (REPO_ROOT / "requirements.txt").read_text()
    return re.search(rf"^{re.escape(name)}==(\S+)", text, re.M).group(1)


def test_pyflink_pin_matches_the_manifest():
    assert requirement("apache-flink") == versions.get("flink.version")


def test_installed_pyflink_matches_the_manifest():
    from pyflink.version import __version__
    assert __version__ == versions.get("flink.version")


def test_connectors_are_built_for_this_flink_line():
    minor = ".".join(versions.get("flink.version").split(".")[:2])
    assert versions.get("flink.kafka.connector.version").endswith(f"-{minor}")
    # JDBC: 4.1.0-2.2 is not served by the Maven mirror here; 4.0.0-2.0 is (see pom.xml).
    assert re.fullmatch(r"4\.\d+\.\d+-2\.\d+", versions.get("flink.jdbc.connector.version"))


def test_fetched_jars_are_the_manifest_versions():
    flink_jars = {p.name for p in (JARS / "flink").glob("*.jar")}
    assert f"flink-sql-connector-kafka-{versions.get('flink.kafka.connector.version')}.jar" in flink_jars
    assert f"flink-connector-jdbc-core-{versions.get('flink.jdbc.connector.version')}.jar" in flink_jars
    assert f"flink-connector-jdbc-postgres-{versions.get('flink.jdbc.connector.version')}.jar" in flink_jars
    assert f"postgresql-{versions.get('postgresql.jdbc.version')}.jar" in flink_jars
    assert f"kafka_2.13-{versions.get('kafka.version')}.jar" in {p.name for p in (JARS / "kafka").glob("*.jar")}


def test_no_version_is_pinned_outside_the_manifest():
    """Python code must read versions from pom.xml, not repeat them."""
    pattern = re.compile(r"['\"](2\.2\.1|3\.9\.1|5\.0\.0-2\.2|4\.0\.0-2\.0|42\.7\.\d+|7\.9\.\d+)['\"]")
    for path in list((REPO_ROOT / "flinkfast").rglob("*.py")) + list(REPO_ROOT.glob("*.py")):
        assert not pattern.search(path.read_text()), path
