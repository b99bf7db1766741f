"""A throwaway PostgreSQL 15 cluster for tests, started from Debian's binaries.

The cluster is started in a temporary folder owned by an unprivileged user (initdb
refuses to run as root), on a free port, listening on 127.0.0.1 only, and stopped
and removed afterwards whatever happens. ``tests/conftest.py`` offers it as the
module-scoped fixture ``cluster``.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("SAMVERKAN_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "samverkan-test"  # a throwaway cluster that only listens on 127.0.0.1


@dataclass
class Cluster:
    base: Path
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    def env(self) -> dict[str, str]:
        return {
            "SAMVERKAN_INSTANCE": "postgres",
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.database,
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _owner() -> str | None:
    """The user the cluster runs as: ourselves, or `nobody` when we are root."""
    if os.geteuid() != 0:
        return None
    return "nobody"


def _run(args: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, user=user, check=True, capture_output=True, text=True, timeout=120, **kwargs)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL 15 saknas ({PG_BIN}); installera paketet postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    user = _owner()
    base = Path(tempfile.mkdtemp(prefix="samverkan-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    pwfile = base / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (base, sockets, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    port = free_port()
    started = False
    try:
        _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "samverkan", f"--pwfile={pwfile}",
              "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C"], user)
        _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60",
              "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], user)
        started = True
        _run([str(PG_BIN / "createdb"), "-h", str(sockets), "-p", str(port), "-U", "samverkan", "dagster"], user)
        yield Cluster(base, "127.0.0.1", port, "samverkan", PASSWORD, "dagster")
    finally:
        if started:
            subprocess.run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           user=user, capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
