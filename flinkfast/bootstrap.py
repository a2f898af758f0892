"""Install what the project needs, idempotently: system packages, .venv, jars, .env.

Runs with the system Python before .venv exists, so it uses the standard library only.
Each step is skipped when a stamp file says its inputs have not changed, so a second
`make setup` takes a second or two.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from flinkfast.paths import CACHE, JARS, REPO_ROOT as REPO, UDF_DIR, UDF_JAR

VENV = REPO / ".venv"
APT_PACKAGES = {  # command that proves the package is there -> Debian package
    "java": "openjdk-17-jre-headless",
    "javac": "openjdk-17-jdk-headless",  # builds the job's Java function (udf/)
    "mvn": "maven",
    "psql": "postgresql-client",
    "initdb": "postgresql",
    "openssl": "openssl",    # makes the certificate of Flink's REST API (flinkfast/security/tls.py)
}
BROWSER = {"chromium": "chromium"}  # tests only (--tests): the dashboard's browser tests
KUBECONFORM = "github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"  # tests only: tests/deploy/
PROG = "setup"


def fail(message: str, code: int = 3) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def say(message: str) -> None:
    print(f"{PROG}: {message}", flush=True)


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def fresh(stamp: Path, value: str) -> bool:
    return stamp.is_file() and stamp.read_text() == value


def have(command: str) -> bool:
    if command == "initdb":
        return bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))) or shutil.which("initdb") is not None
    return shutil.which(command) is not None


def java_major() -> int:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return 0
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 else major


def system_packages(for_tests: bool = False) -> None:
    wanted = {**APT_PACKAGES, **(BROWSER if for_tests else {})}
    missing = [pkg for cmd, pkg in wanted.items() if not have(cmd)]
    if missing:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            fail(f"missing system packages {' '.join(missing)}: install them (e.g. sudo apt-get install {' '.join(missing)}) and re-run make setup")
        say(f"installing {' '.join(missing)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
            if subprocess.run(cmd, env=env).returncode != 0:
                fail(f"'{' '.join(cmd)}' failed; see its output above")
    if java_major() < 17:
        fail("Java 17 or newer is required (found Java %d); install openjdk-17-jre-headless" % java_major())


def venv() -> None:
    python = VENV / "bin" / "python"
    if not python.exists():
        say("creating .venv")
        if sys.version_info[:2] != (3, 11):
            say(f"note: Python {sys.version.split()[0]}; the project is tested on 3.11 (apache-flink supports 3.9-3.12)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / ".requirements.sha256"
    want = digest(REPO / "requirements.txt", REPO / "requirements-dev.txt")
    if fresh(stamp, want):
        return
    say("installing Python packages into .venv (first run: a few minutes, apache-flink is large)")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run(pip + ["-r", str(REPO / "requirements-dev.txt")]).returncode != 0:
        fail("pip install failed; see its output above (is PyPI reachable?)")
    stamp.write_text(want)


def jars() -> None:
    stamp = JARS / ".pom.sha256"
    want = digest(REPO / "pom.xml")
    if fresh(stamp, want):
        return
    say("fetching Kafka, ZooKeeper and Flink connector jars from Maven Central (pom.xml)")
    for profile, extra in (("flink", ["-DexcludeTransitive=true"]), ("kafka", ["-DincludeScope=runtime"]),
                           ("sqlclient", ["-DexcludeTransitive=true"])):
        out = JARS / profile
        shutil.rmtree(out, ignore_errors=True)
        cmd = ["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(REPO / "pom.xml"), "-P", profile,
               "dependency:copy-dependencies", f"-DoutputDirectory={out}", *extra]
        if subprocess.run(cmd).returncode != 0:
            fail(f"downloading the {profile} jars failed (mvn, see above); check that Maven Central is reachable")
    stamp.write_text(want)


UDF_BUILD = ["mvn", "-q", "-B", "-Dstyle.color=never", "-f", "udf/pom.xml", "package", "-DskipTests"]


def udf() -> None:
    """The job's Java function and COPY connector, built from udf/'s modules into one jar with the
    versions of the manifest (their parent)."""
    stamp = UDF_JAR.parent / ".sources.sha256"
    sources = [REPO / "pom.xml", *sorted(f for f in UDF_DIR.rglob("*") if f.is_file() and "target" not in f.relative_to(UDF_DIR).parts)]
    want = digest(*sources)
    if UDF_JAR.is_file() and fresh(stamp, want):
        return
    say("building the job's Java function and COPY sink (udf/, mvn package)")
    if subprocess.run(UDF_BUILD, cwd=REPO).returncode != 0:
        fail("building udf/ failed (mvn, see above); is a JDK 17 installed (javac) and Maven Central reachable?")
    UDF_JAR.parent.mkdir(parents=True, exist_ok=True)
    # A new file renamed over the old: a running cluster keeps reading the jar it opened (it has
    # the old one on its classpath until `make down && make up`), never a half-written one.
    fresh_jar = UDF_JAR.with_suffix(".jar.new")
    shutil.copyfile(UDF_DIR / "target" / UDF_JAR.name, fresh_jar)
    os.replace(fresh_jar, UDF_JAR)
    stamp.write_text(want)


def package() -> None:
    """This checkout into .venv as an editable package: the `flinkfast` console command."""
    stamp = VENV / ".pyproject.sha256"
    want = digest(REPO / "pyproject.toml") + " " + str(REPO)  # editable: tied to this checkout
    if fresh(stamp, want) and (VENV / "bin" / "flinkfast").exists():
        return
    say("installing the flinkfast command into .venv (pip install -e .)")
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run(pip + ["--no-deps", "-e", str(REPO)]).returncode != 0:
        fail("pip install -e . failed; see its output above")
    stamp.write_text(want)


SECRETS = ("POSTGRES_PASSWORD", "FLINK_DB_PASSWORD", "READER_DB_PASSWORD", "FLINK_TLS_PASSWORD", "PEER_DB_PASSWORD")
# Kafka's four SCRAM principals and the ZooKeeper logins of the brokers and of Flink's HA.
SECRETS += ("KAFKA_ADMIN_PASSWORD", "KAFKA_PRODUCER_PASSWORD", "KAFKA_JOB_PASSWORD", "KAFKA_MONITOR_PASSWORD",
            "ZOOKEEPER_KAFKA_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD")
OLD_EXAMPLE_VALUES = {"POSTGRES_PASSWORD": "postgres", "FLINK_DB_PASSWORD": "flink_writer"}  # before 0.3


def dotenv(env: Path | None = None, example: Path | None = None) -> None:
    """.env from .env.example, with a random value for every empty secret. The file is created
    with mode 0600 before anything is written to it. An existing .env keeps its values: it is
    only made private (a copy made by hand with `cp` is 0644) and given a generated value for
    a secret it lacks (one a newer version added), each said in one line."""
    import secrets
    env, example = env or REPO / ".env", example or REPO / ".env.example"
    if env.exists():
        mode = env.stat().st_mode & 0o777
        if mode & 0o077:
            env.chmod(0o600)
            say(f"made .env private: mode {mode:03o} -> 600 (it holds the passwords)")
        text = env.read_text()
        weak = [k for k, v in OLD_EXAMPLE_VALUES.items() if re.search(rf"^{k}={re.escape(v)}$", text, re.M)]
        if weak:
            say(f"warning: .env still has the old example value of {', '.join(weak)}: every install had it. "
                "Rotate it (docs/security.md)")
        missing = [k for k in SECRETS if not re.search(rf"^{k}=\S", text, re.M)]
        if missing:
            kept = [line for line in text.splitlines() if line.split("=", 1)[0] not in missing]
            added = [f"{k}={secrets.token_urlsafe(24)}" for k in missing]
            with open(env, "w") as f:  # already 0600
                f.write("\n".join(kept + added) + "\n")
            say(f"added generated {', '.join(missing)} to .env")
        return
    lines = []
    for line in example.read_text().splitlines():
        key = line.split("=", 1)[0]
        if key in SECRETS and line == f"{key}=":
            line = f"{key}={secrets.token_urlsafe(24)}"
        lines.append(line)
    fd = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    say(f"created .env from .env.example with generated passwords ({', '.join(SECRETS)}); mode 0600")


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.bootstrap", description=__doc__.split("\n\n")[0],
                                     epilog="example: make setup   (or: python3 -m flinkfast.bootstrap)")
    parser.add_argument("--tests", action="store_true",
                        help="also what only the tests use: Debian's chromium (the dashboard's browser tests), "
                             "kubeconform, crdcheck, apiserver and flinkcheck (tests/deploy/); make test asks for it, make demo and make up do not")
    args = parser.parse_args(argv)
    JARS.mkdir(parents=True, exist_ok=True)
    system_packages(args.tests)
    venv()
    jars()
    udf()
    dotenv()
    package()
    if args.tests:
        kubeconform()
        crdcheck()
        apiserver()
        flinkcheck()
    return 0


def crdcheck() -> None:
    """deploy/k8s/tools/crdcheck (the CRDs' CEL rules and defaulting by the API server's code):
    about a minute and 400 MB of Go modules the first time."""
    go_tool("crdcheck", "the tests' CRD rules", "tests/deploy/test_deploy_crd_rules.py")


def apiserver() -> None:
    """deploy/k8s/tools/apiserver (kube-apiserver v1.34.2 and etcd, for the server-side dry run):
    about 7 minutes of one core, 460 MB of Go modules and 1.9 GB of Go build cache the first time."""
    go_tool("apiserver", "the tests' server-side dry run", "tests/deploy/test_deploy_dry_run.py")


def go_tool(name: str, what: str, test: str) -> None:
    """deploy/k8s/tools/<name>, built into .cache/<name>/<name> once its sources change, so that the
    tests do not pay for the build. A failure is not setup's: the test says it in one line and is
    skipped when the modules cannot be fetched."""
    tool = REPO / "deploy" / "k8s" / "tools" / name
    binary = CACHE / name / name
    sources = [*tool.glob("*.go"), tool / "go.mod", tool / "go.sum"]
    if not shutil.which("go") or not all(p.is_file() for p in sources[-2:]):
        return
    if binary.is_file() and binary.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    say(f"building deploy/k8s/tools/{name} with go build ({what})")
    binary.parent.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["go", "build", "-o", str(binary), "."], cwd=tool).returncode != 0:
        say(f"go build of deploy/k8s/tools/{name} failed (see above): {test} will say why")


FLINKCHECK = REPO / "deploy" / "k8s" / "tools" / "flinkcheck"
FLINKCHECK_OUT = CACHE / "flinkcheck"


def flinkcheck_sources() -> list[Path]:
    return [FLINKCHECK / "pom.xml", *sorted(p for d in ("src", "operator-src", "conf")
                                            for p in (FLINKCHECK / d).rglob("*") if p.is_file())]


def flinkcheck() -> str | None:
    """deploy/k8s/tools/flinkcheck (the Flink operator's DefaultValidator and config builder, built
    from the operator's source), built into .cache/flinkcheck once its sources change: about a
    minute and the operator's dependencies from Maven Central the first time. A failure is not
    setup's: it returns what went wrong (tests/deploy/test_deploy_flink_operator.py says it)."""
    stamp = FLINKCHECK_OUT / ".sources.sha256"
    want = digest(*flinkcheck_sources())
    if (FLINKCHECK_OUT / "classpath.txt").is_file() and fresh(stamp, want):
        return None
    if not have("mvn") or not have("javac"):
        return "Maven or a JDK is missing: install maven and openjdk-17-jdk-headless (make setup)"
    say("building deploy/k8s/tools/flinkcheck with mvn (the Flink operator's validator, for the tests)")
    r = subprocess.run(["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(FLINKCHECK / "pom.xml"),
                        f"-Dflinkcheck.out={FLINKCHECK_OUT}", "package", "dependency:build-classpath"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        say("mvn package of deploy/k8s/tools/flinkcheck failed: tests/deploy/test_deploy_flink_operator.py will say why")
        return (r.stdout + r.stderr).strip()
    stamp.write_text(want)
    return None


def kubeconform() -> None:
    """kubeconform, built from the Go module proxy into .cache/bin (a second validator of the
    Kubernetes manifests; tests/deploy/)."""
    binary = CACHE / "bin" / "kubeconform"
    stamp = CACHE / "bin" / ".kubeconform"
    if binary.is_file() and fresh(stamp, KUBECONFORM):
        return
    if not shutil.which("go"):
        fail("Go is missing: the tests build kubeconform with `go install` (install golang-go)")
    say(f"building kubeconform ({KUBECONFORM.rsplit('@', 1)[1]}) with go install")
    binary.parent.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["go", "install", KUBECONFORM], env=dict(os.environ, GOBIN=str(binary.parent))).returncode != 0:
        fail("go install of kubeconform failed (see above); is the Go module proxy reachable?")
    stamp.write_text(KUBECONFORM)


if __name__ == "__main__":
    sys.exit(main())
