"""Configuration: precedence, derived defaults, validation, and that the docs list every setting."""
import re
import subprocess
import sys

import pytest

from flinkfast import config
from flinkfast.config import SETTINGS
from flinkfast.paths import REPO_ROOT
from flinkfast.errors import ConfigError


@pytest.fixture
def dotenv(tmp_path):
    path = tmp_path / ".env"
    path.write_text("KAFKA_TOPIC=from-dotenv\nPOSTGRES_DB=dotenv_db\nFLINK_PARALLELISM=3\n")
    return path


def test_precedence_flag_over_env_over_dotenv_over_default(dotenv):
    env = {"KAFKA_TOPIC": "from-env"}
    cfg = config.load({"KAFKA_TOPIC": "from-flag"}, env=env, dotenv_path=dotenv)
    assert cfg.kafka_topic == "from-flag"
    assert config.load(env=env, dotenv_path=dotenv).kafka_topic == "from-env"
    assert config.load(env={}, dotenv_path=dotenv).kafka_topic == "from-dotenv"
    assert config.load(env={}, dotenv_path=dotenv).postgres_db == "dotenv_db"
    assert config.load(env={}, dotenv_path=dotenv / "missing").kafka_topic == "RandomUser"


def test_types_are_converted_and_bad_numbers_are_clear(dotenv):
    assert config.load(env={}, dotenv_path=dotenv).flink_parallelism == 3
    with pytest.raises(ConfigError, match=r"FLINK_PARALLELISM='two' \(from environment\) is not a valid int"):
        config.load(env={"FLINK_PARALLELISM": "two"}, dotenv_path=dotenv)


def test_derived_defaults_follow_the_ports(tmp_path):
    cfg = config.load(env={"KAFKA_PORT": "19092", "FLINK_REST_PORT": "18082", "FLINK_UI_PORT": "18081",
                           "FLINKFAST_STATE_DIR": str(tmp_path / "st")}, dotenv_path=tmp_path / "none")
    assert cfg.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert cfg.flink_rest_url == "https://127.0.0.1:18082", "the REST API speaks TLS only"
    assert cfg.flink_ui_url == "http://127.0.0.1:18081"
    assert cfg.flink_rest_tls_dir == str(tmp_path / "st" / "flink" / "tls"), "derived from a derived default"
    explicit = config.load(env={"KAFKA_BOOTSTRAP_SERVERS": "kafka-broker:29092"}, dotenv_path=tmp_path / "none")
    assert explicit.kafka_bootstrap_servers == "kafka-broker:29092"


def test_missing_secret_is_one_clear_line(tmp_path):
    cfg = config.load(env={}, dotenv_path=tmp_path / "none")
    with pytest.raises(ConfigError, match="POSTGRES_PASSWORD is not set: copy .env.example to .env"):
        cfg.require("POSTGRES_PASSWORD")


@pytest.mark.parametrize("env,value", [("POSTGRES_DB", "db; DROP TABLE x"), ("FLINK_DB_USER", 'a"b'),
                                       ("KAFKA_TOPIC", "bad topic"), ("SCAN_STARTUP_MODE", "timestamp"),
                                       ("BENCH_DURATION", "3"), ("BENCH_ROUNDS", "0")])
def test_values_used_as_identifiers_are_validated(tmp_path, env, value):
    with pytest.raises(ConfigError, match=env):
        config.load(env={env: value}, dotenv_path=tmp_path / "none")


def test_mask_hides_secrets():
    cfg = config.load(env={"POSTGRES_PASSWORD": "s3cr3t-pw", "FLINK_DB_PASSWORD": "writer-pw"})
    assert cfg.mask("url pw=s3cr3t-pw and writer-pw") == "url pw=**** and ****"


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M))
    assert {s.env for s in SETTINGS} == documented


def test_no_secret_has_a_default_in_code():
    assert all(s.default is None for s in SETTINGS if s.secret)


SCRIPTS = ["producer_api.py", "flinkfast_job.py", "print_data_postgres.py"]
MODULES = ["flinkfast.stack up", "flinkfast.pipeline.submit", "flinkfast.cli.demo", "tests.dashboard_cost"]


@pytest.mark.parametrize("command", [[s] for s in SCRIPTS] + [["-m", *m.split()] for m in MODULES])
def test_every_command_has_help_with_an_example_and_env_names(command):
    r = subprocess.run([sys.executable, *command, "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "example" in r.stdout.lower()
    assert re.search(r"\[env\s+[A-Z_]+;", r.stdout), "flags name their environment variable"


def test_every_make_target_is_documented():
    makefile = (REPO_ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][a-z-]*):", makefile, re.M)
    undocumented = [t for t in targets if not re.search(rf"^{t}:.*## ", makefile, re.M)]
    assert not undocumented
    readme = (REPO_ROOT / "README.md").read_text()
    missing = [t for t in targets if t != "help" and f"make {t}" not in readme]
    assert not missing, f"README does not mention: {missing}"


def test_a_misspelt_setting_fails_at_once_with_a_suggestion():
    with pytest.raises(ConfigError, match="unknown setting KAFKA_TOPIK; did you mean KAFKA_TOPIC"):
        config.load({"KAFKA_TOPIK": "x"}, env={})
    cfg = config.load(env={})
    with pytest.raises(AttributeError, match="no setting 'kafka_topik'; did you mean KAFKA_TOPIC"):
        cfg.kafka_topik  # noqa: B018


def test_every_setting_the_code_reads_exists():
    """Config's attributes are looked up by name at run time; this finds a misspelt `cfg.x`
    in any module or test before that line ever runs (the typed-configuration check)."""
    import ast

    from flinkfast.config import SETTINGS, Config
    from flinkfast.paths import REPO_ROOT
    known = {s.attr for s in SETTINGS} | {n for n in dir(Config) if not n.startswith("__")}
    wrong, seen = [], 0
    for path in [*(REPO_ROOT / "flinkfast").rglob("*.py"), *(REPO_ROOT / "tests").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            is_cfg = (isinstance(owner, ast.Name) and owner.id in ("cfg", "job_cfg", "base")) or \
                     (isinstance(owner, ast.Attribute) and owner.attr == "cfg")
            if is_cfg:
                seen += 1
                if node.attr not in known and node.attr != "kafka_topik":  # the misspelling tested above
                    wrong.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} cfg.{node.attr}")
    assert seen > 100, "the check found the code's settings"
    assert not wrong, wrong


def test_default_partitions_are_a_multiple_of_the_parallelism():
    """3 partitions on parallelism 2 leave one subtask alone with a third of the topic."""
    cfg = config.load(env={}, dotenv_path=REPO_ROOT / "tests" / "no-such.env")
    assert cfg.kafka_partitions % cfg.flink_parallelism == 0


def test_two_services_on_one_port_is_one_clear_line(tmp_path):
    """An .env from before the Web UI gate says FLINK_REST_PORT=8081, now the gate's port."""
    with pytest.raises(ConfigError, match=r"FLINK_UI_PORT and FLINK_REST_PORT are both 8081.*drop FLINK_REST_PORT=8081"):
        config.load(env={"FLINK_REST_PORT": "8081"}, dotenv_path=tmp_path / "none")
    with pytest.raises(ConfigError, match=r"ZOOKEEPER_PORT and KAFKA_PORT are both 2181"):
        config.load(env={"KAFKA_PORT": "2181"}, dotenv_path=tmp_path / "none")


def test_each_setting_is_declared_by_one_part_which_says_what_it_configures():
    """flinkfast/settings/: one module per part, opening with a line on what it configures; a name
    declared by two parts would silently be one field of Config."""
    import importlib
    from dataclasses import fields

    from flinkfast.settings import PARTS
    names = [f.name for part in PARTS for f in fields(part)]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    assert {s.attr for s in SETTINGS} == set(names) == {f.name for f in fields(config.Config)}
    for part in PARTS:
        doc = importlib.import_module(part.__module__).__doc__ or ""
        assert doc.strip() and doc.splitlines()[0].endswith("."), f"{part.__module__} opens with what it configures"


def test_env_example_is_grouped_like_the_settings():
    """A `# --- part:` section per module of flinkfast/settings/, in order, each listing that part's settings."""
    from dataclasses import fields

    from flinkfast.settings import PARTS
    sections: dict[str, set[str]] = {}
    current = None
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        if m := re.match(r"^# --- ([a-z]+):", line):
            current = sections.setdefault(m.group(1), set())
        elif (m := re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=", line)) and current is not None:
            current.add(m.group(1))
    parts = [part.__module__.rsplit(".", 1)[1] for part in PARTS]
    assert list(sections) == parts
    for part, name in zip(PARTS, parts):
        assert sections[name] == {f.name.upper() for f in fields(part)}, f"section {name} of .env.example"


def _defaults() -> config.Config:
    return config.load(env={}, dotenv_path=REPO_ROOT / "tests" / "no-such.env")


def test_the_copies_of_a_default_outside_python_equal_it():
    """Each default is declared once, in flinkfast/settings/. `.env.example` and docker-compose.yml
    (`${X:-default}`) cannot import it, so they repeat it: here every copy must equal it (derived
    defaults as derived for the defaults, i.e. one broker; compose's CA file is a container path)."""
    from dotenv import dotenv_values
    base = _defaults()
    example = {k: v for k, v in dotenv_values(REPO_ROOT / ".env.example").items() if v}
    wrong = [f".env.example {k}={v} (default {base.get(k)})" for k, v in example.items()
             if config.setting(k).kind(v) != base.get(k)]
    compose = re.findall(r"\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}", (REPO_ROOT / "docker-compose.yml").read_text())
    assert len(compose) > 50, "the check found compose's defaults"
    wrong += [f"docker-compose.yml ${{{k}:-{v}}} (default {base.get(k)})" for k, v in compose
              if k != "KAFKA_SSL_CA_FILE" and str(base.get(k)) != v]
    assert not wrong, wrong
