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


def test_an_existing_env_keeps_its_values(tmp_path, capsys):
    env = tmp_path / ".env"
    text = "POSTGRES_PASSWORD=postgres\n" + "".join(f"{k}=mine-{k}\n" for k in bootstrap.SECRETS[1:])
    env.write_text(text)
    env.chmod(0o600)
    bootstrap.dotenv(env, REPO_ROOT / ".env.example")
    assert env.read_text() == text
    assert "old example value of POSTGRES_PASSWORD" in capsys.readouterr().out


def test_a_loose_env_is_made_private_and_gets_the_secrets_it_lacks(tmp_path, capsys):
    """A .env copied by hand (`cp .env.example .env`: mode 0644, empty passwords) or kept from a
    version before the reader role: setup tightens it to 0600 and fills in what is missing,
    saying each in one line, and changes nothing else."""
    env = tmp_path / ".env"
    env.write_text("# mine\nPOSTGRES_PASSWORD=kept-as-it-is\nFLINK_DB_PASSWORD=\nKAFKA_TOPIC=Mine\n")
    env.chmod(0o644)
    bootstrap.dotenv(env, REPO_ROOT / ".env.example")
    out = capsys.readouterr().out
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert "mode 644 -> 600" in out and f"added generated {', '.join(bootstrap.SECRETS[1:])}" in out
    values = dotenv_values(env)
    assert values["POSTGRES_PASSWORD"] == "kept-as-it-is" and values["KAFKA_TOPIC"] == "Mine"
    assert all(len(values[k]) >= 24 for k in bootstrap.SECRETS[1:])
    assert env.read_text().startswith("# mine\n")
    bootstrap.dotenv(env, REPO_ROOT / ".env.example")
    assert capsys.readouterr().out == "", "nothing more to do the second time"
