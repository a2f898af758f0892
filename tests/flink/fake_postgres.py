"""A process that is not PostgreSQL but answers on its port: what could bind 5432 while the real server is
down. It speaks just enough of the startup protocol to ask each client for its password the way that
gives the password away (AuthenticationCleartextPassword, or MD5 with a salt of its choosing) and keeps
every byte a client sends after that request. Loopback only, a free port, one thread."""
from __future__ import annotations

import socket
import struct
import threading

CLEARTEXT, MD5 = 3, 5
SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104


class FakePostgres:
    def __init__(self, auth: int):
        self.auth = auth
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.startups: list[bytes] = []      # each client's startup packet (it did reach us)
        self.after_request: list[bytes] = []  # what each client sent once asked for its password
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._one(conn)
                except (OSError, ValueError):
                    pass

    def _one(self, conn):
        while True:                        # refuse TLS and GSS encryption: the client goes on in the clear
            length, = struct.unpack("!I", _read(conn, 4))
            body = _read(conn, length - 4)
            code, = struct.unpack("!I", body[:4])
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                conn.sendall(b"N")
                continue
            self.startups.append(body)
            break
        if self.auth == MD5:
            conn.sendall(b"R" + struct.pack("!II", 12, MD5) + b"salt")
        else:
            conn.sendall(b"R" + struct.pack("!II", 8, CLEARTEXT))
        got = b""
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got += chunk
        except OSError:
            pass
        self.after_request.append(got)


def _read(conn, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ValueError("closed")
        data += chunk
    return data
