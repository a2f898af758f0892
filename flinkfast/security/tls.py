"""The certificate that guards Flink's REST API and its internal connections (job submission is
code execution as the user running the cluster, and Flink has no authentication of its own).

Flink's REST endpoint runs with TLS and client authentication (`security.ssl.rest.*`): only a
client that presents this certificate is served. Its internal connections (RPC, blob server,
data exchange) are mutual TLS with the same certificate (`security.ssl.internal.*`). The cluster and every client of the project
(`flink run`, `flink cancel`, the SQL client, `status`, the dashboard, the benchmark, the Web UI
gate) read it from one folder, private to the user running the stack:

    key.pem, cert.pem          the key and its self-signed certificate (Python clients)
    keystore.p12               the same key and certificate for Flink (PKCS12)
    truststore.p12             the certificate as a trusted entry (Flink trusts only it)

One self-signed certificate serves as the server's and the client's, as Flink's documentation
suggests for mutual authentication; its names cover the addresses clients use (127.0.0.1,
localhost, and `jobmanager` in compose). Made with openssl and the JDK's keytool, once; the
stores are locked with FLINK_TLS_PASSWORD, which Flink's configuration must carry.

    python -m flinkfast.security.tls FOLDER       (compose's flink-tls service; the local stack calls ensure())
"""
from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

from flinkfast.errors import Unavailable

NAMES = ("IP:127.0.0.1", "IP:::1", "DNS:localhost", "DNS:jobmanager")
FILES = ("key.pem", "cert.pem", "keystore.p12", "truststore.p12")
DAYS = 3650


def _run(cmd: list[str], password: str) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, umask=0o077,
                       env=dict(os.environ, FLINKFAST_TLS_PASSWORD=password))
    if r.returncode != 0:
        why = (r.stderr.strip() or r.stdout.strip()).splitlines()
        raise Unavailable(f"{Path(cmd[0]).name} could not make the REST certificate: "
                          f"{why[-1] if why else r.returncode}")


def ensure(folder: Path, password: str) -> Path:
    """The certificate files in `folder`, made once (0600 in a 0700 folder), and made again when
    FLINK_TLS_PASSWORD changed (the stores would not open with the new one: a digest of the
    password they were locked with is kept beside them). Returns the folder."""
    lock = hashlib.sha256(password.encode()).hexdigest()
    if all((folder / f).exists() for f in FILES) and _read(folder / "stores.sha256") == lock:
        return folder
    for tool in ("openssl", "keytool"):
        if not shutil.which(tool):
            raise Unavailable(f"{tool} is missing: it makes the certificate of Flink's REST API "
                              "(run `make setup`, which installs openssl and the JDK)")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    for f in FILES:
        (folder / f).unlink(missing_ok=True)
    key, cert = folder / "key.pem", folder / "cert.pem"
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(DAYS),
          "-subj", "/CN=flinkfast-rest", "-addext", "subjectAltName=" + ",".join(NAMES),
          "-keyout", str(key), "-out", str(cert)], password)
    _run(["openssl", "pkcs12", "-export", "-name", "flinkfast-rest", "-inkey", str(key), "-in", str(cert),
          "-out", str(folder / "keystore.p12"), "-passout", "env:FLINKFAST_TLS_PASSWORD"], password)
    _run(["keytool", "-importcert", "-noprompt", "-alias", "flinkfast-rest", "-file", str(cert),
          "-keystore", str(folder / "truststore.p12"), "-storetype", "PKCS12",
          "-storepass:env", "FLINKFAST_TLS_PASSWORD"], password)
    for f in FILES:
        (folder / f).chmod(0o600)
    fd = os.open(folder / "stores.sha256", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(lock)
    return folder


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def flink_settings(folder: Path, password: str) -> dict[str, object]:
    """Flink's configuration: the REST endpoint serves only holders of the certificate, and so
    does everything internal (the JobManager's RPC, the blob server, the TaskManagers' data
    connections), which would otherwise take a job, or any Java object, from any local process."""
    stores = {"keystore": str(folder / "keystore.p12"), "keystore-password": password, "key-password": password,
              "truststore": str(folder / "truststore.p12"), "truststore-password": password}
    return {"security.ssl.rest.enabled": True, "security.ssl.rest.authentication-enabled": True,
            **{f"security.ssl.rest.{k}": v for k, v in stores.items()},
            "security.ssl.internal.enabled": True,   # internal SSL is always mutual
            **{f"security.ssl.internal.{k}": v for k, v in stores.items()}}


def client_context(folder: Path) -> ssl.SSLContext:
    """A TLS context that trusts only the REST certificate and presents it."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists() or not key.exists():
        raise Unavailable(f"the client certificate of Flink's REST API is not in {folder}: "
                          "start the stack (`make up`) or set FLINK_REST_TLS_DIR")
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as e:
        raise Unavailable(f"cannot read the client certificate of Flink's REST API in {folder}: {e}") from None
    return ctx


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m flinkfast.security.tls", description=__doc__.split("\n\n")[0],
                                     epilog="example: FLINK_TLS_PASSWORD=... python -m flinkfast.security.tls /opt/flink/tls")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    password = os.environ.get("FLINK_TLS_PASSWORD", "")
    if not password:
        print("flinkfast.security.tls: error: FLINK_TLS_PASSWORD is not set", file=sys.stderr)
        return 2
    ensure(args.folder, password)
    print(f"REST certificate in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
