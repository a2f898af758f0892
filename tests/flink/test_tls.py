"""The REST certificate (flinkfast.security.tls): made once, private, and made again when its password changes."""
from __future__ import annotations

import subprocess

from flinkfast.security import tls


def opens(store, password: str) -> bool:
    return subprocess.run(["keytool", "-list", "-keystore", str(store), "-storepass", password],
                          capture_output=True).returncode == 0


def test_made_once_private_and_again_for_a_new_password(tmp_path):
    folder = tmp_path / "tls"
    tls.ensure(folder, "first-password")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all((folder / f).stat().st_mode & 0o777 == 0o600 for f in tls.FILES)
    cert = (folder / "cert.pem").read_text()
    tls.ensure(folder, "first-password")
    assert (folder / "cert.pem").read_text() == cert, "made once"
    assert opens(folder / "keystore.p12", "first-password") and opens(folder / "truststore.p12", "first-password")
    tls.ensure(folder, "second-password")  # FLINK_TLS_PASSWORD rotated: Flink must be able to open the stores
    assert (folder / "cert.pem").read_text() != cert
    assert opens(folder / "keystore.p12", "second-password") and not opens(folder / "keystore.p12", "first-password")
    assert "first-password" not in "".join(p.read_text(errors="replace") for p in folder.iterdir())
