"""pgjdbc as the sinks use it: the driver jar of Flink's lib/ and the udf jar on the classpath, the exact
JDBC URL, user and password of sql/flink/003 and 004 as the job renders them, one connection attempt in
a small Java program. Returns what happened: "CONNECTED as <user>" or the driver's error."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from flinkfast.pipeline import sqlfiles
from flinkfast.paths import FLINK_JARS, UDF_JAR

SINKS = ("processed_events_sink", "dead_letter_events_sink")
PROBE = """
import java.sql.*;
import java.util.Properties;

public class Probe {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", System.getenv("PROBE_PASSWORD"));
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        try (Connection c = DriverManager.getConnection(args[0], props);
             ResultSet r = c.createStatement().executeQuery("SELECT current_user")) {
            r.next();
            System.out.println("CONNECTED as " + r.getString(1));
        } catch (SQLException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
"""


def sink_options(cfg) -> dict[str, dict[str, str]]:
    """{sink table: its WITH options}, rendered as the job renders them."""
    found = {}
    for _, statement in sqlfiles.flink_statements(cfg, ("003_sink_processed.sql", "004_sink_dead_letters.sql")):
        table = re.search(r"CREATE TABLE (\w+)", statement).group(1)
        found[table] = dict(re.findall(r"'([\w.-]+)'\s*=\s*'((?:[^']|'')*)'", statement))
    assert set(found) == set(SINKS), found.keys()
    return found


def connect(url: str, user: str, password: str, folder: Path) -> str:
    driver = sorted(FLINK_JARS.glob("postgresql-*.jar"))
    assert driver and UDF_JAR.is_file(), "run make setup (the driver and the udf jar)"
    (folder / "Probe.java").write_text(PROBE)
    r = subprocess.run(["java", "-cp", os.pathsep.join([str(driver[-1]), str(UDF_JAR)]), str(folder / "Probe.java"),
                        url, user], env=dict(os.environ, PROBE_PASSWORD=password), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()
