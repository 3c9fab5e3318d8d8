"""Private PostgreSQL instances for tests that need a second server (a replica).

Each instance is a fresh `initdb` in a temporary directory on a free 127.0.0.1 port, run with
the Debian server binaries (/usr/lib/postgresql/<version>/bin) as scripts/services.sh runs its
private cluster: postgres refuses to run as root, so a root caller runs it as `postgres`.
`standby_of` makes a real streaming standby with `pg_basebackup -R`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from scripts.stack import free_port


def server_bin() -> Path | None:
    """The newest installed server's bin directory, or None when no server is installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivateCluster:
    def __init__(self, bin_dir: Path, root: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.log = root / "postgres.log"

    @classmethod
    def create(cls, bin_dir: Path, parent: Path | None = None) -> PrivateCluster:
        root = Path(tempfile.mkdtemp(prefix="renamer-pg-", dir=parent))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = cls(bin_dir, root, free_port())
        cluster._run(
            "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"
        )
        return cluster

    @classmethod
    def standby_of(cls, primary: PrivateCluster) -> PrivateCluster:
        """A hot standby streaming from `primary` (initdb's pg_hba trusts local replication)."""
        root = Path(tempfile.mkdtemp(prefix="renamer-pg-standby-"))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        standby = cls(primary.bin_dir, root, free_port())
        standby._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(standby.data), "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        return standby

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(_as_owner([str(self.bin_dir / tool), *args]), check=True, capture_output=True, timeout=60)

    def start(self) -> PrivateCluster:
        # Short checkpoints and no fsync: a throwaway test server, started and stopped in seconds.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='{self.root}'"
            " -c fsync=off -c full_page_writes=off -c wal_receiver_status_interval=1"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", options, "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(database, driver="postgresql"), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> None:
        self.execute(f'CREATE DATABASE "{name}"')
