"""make setup's .env: generated secrets, private from the first byte, never overwritten."""
from __future__ import annotations

import stat

from dotenv import dotenv_values

from flinkfast import bootstrap
from flinkfast.paths import REPO_ROOT


def test_env_gets_random_passwords_and_mode_0600(tmp_path):
    a, b = tmp_path / "a.env", tmp_path / "b.env"
    bootstrap.dotenv(a, REPO_ROOT / ".env.example")
    bootstrap.dotenv(b, REPO_ROOT / ".env.example")
    va, vb = dotenv_values(a), dotenv_values(b)
    for key in bootstrap.SECRETS:
        assert len(va[key]) >= 24 and va[key] != vb[key], "random, and different for every install"
        assert va[key] not in bootstrap.OLD_EXAMPLE_VALUES.values()
    assert va["POSTGRES_PASSWORD"] != va["FLINK_DB_PASSWORD"]
    assert stat.S_IMODE(a.stat().st_mode) == 0o600
    example = dotenv_values(REPO_ROOT / ".env.example")
    assert {k: v for k, v in va.items() if k not in bootstrap.SECRETS} == \
        {k: v for k, v in example.items() if k not in bootstrap.SECRETS}


def test_an_existing_env_is_left_alone(tmp_path, capsys):
    env = tmp_path / ".env"
    env.write_text("POSTGRES_PASSWORD=postgres\nFLINK_DB_PASSWORD=mine\n")
    bootstrap.dotenv(env, REPO_ROOT / ".env.example")
    assert env.read_text() == "POSTGRES_PASSWORD=postgres\nFLINK_DB_PASSWORD=mine\n"
    assert "old example value of POSTGRES_PASSWORD" in capsys.readouterr().out
