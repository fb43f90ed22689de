"""Pulumi's shared state backends, run on loopback for the tests: S3 (moto's server) and PostgreSQL.

Each backend gives its `backend_url`, the environment a runner needs to reach it (`env`: what a team
sets as CI secrets), and what it stores under a key prefix (`keys`), so tests can see the state and
the lock Pulumi keeps there. The PostgreSQL server is the distribution's (scripts/install-postgres.sh
installs it), started in a temporary folder on a free loopback port, as an unprivileged user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path
from typing import Any, Protocol

import attrs

DUMMY_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
#: What keeps the AWS SDK from reading this machine's AWS configuration or metadata service.
AWS_ISOLATION = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
                 "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
LOCKS = ".pulumi/locks/"


class SharedBackend(Protocol):
    name: str

    @property
    def backend_url(self) -> str: ...

    @property
    def env(self) -> dict[str, str]: ...

    def keys(self, prefix: str = "") -> list[str]: ...


@attrs.frozen
class S3Backend:
    """A bucket of its own on moto's S3 server (moto keeps buckets per process, not per server);
    credentials are dummies, as the server accepts any."""

    endpoint: str
    bucket: str = attrs.field(factory=lambda: f"pulumi-state-{secrets.token_hex(4)}")
    name: str = "s3"

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=DUMMY_AWS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=DUMMY_AWS["AWS_SECRET_ACCESS_KEY"])

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    @property
    def backend_url(self) -> str:
        return f"s3://{self.bucket}?endpoint={self.endpoint}&use_path_style=true&region=us-east-1"

    @property
    def env(self) -> dict[str, str]:
        return dict(DUMMY_AWS)


@contextmanager
def s3_backend() -> Iterator[S3Backend]:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    backend = S3Backend(endpoint=f"http://{host}:{port}")
    backend.client().create_bucket(Bucket=backend.bucket)
    try:
        yield backend
    finally:
        server.stop()


@attrs.frozen
class PostgresBackend:
    """One database of a running PostgreSQL server; Pulumi keeps its state in a table of it."""

    server: PostgresServer
    database: str
    name: str = "postgres"

    @property
    def backend_url(self) -> str:
        return (f"postgres://{self.server.user}:{self.server.password}@127.0.0.1:{self.server.port}/"
                f"{self.database}?sslmode=disable")

    @property
    def env(self) -> dict[str, str]:
        return {}

    def keys(self, prefix: str = "") -> list[str]:
        """Keys of the state table (`pulumi_state`, made by the first `pulumi` command) under `prefix`,
        as an S3 bucket would name them (Pulumi stores them under `<database>/`)."""
        exists = self.server.sql(self.database, "SELECT to_regclass('pulumi_state') IS NOT NULL")
        if exists.strip() != "t":
            return []
        escaped = f"{self.database}/{prefix}".replace("'", "''")
        rows = self.server.sql(self.database, "SELECT key FROM pulumi_state WHERE "
                               f"starts_with(key, '{escaped}') ORDER BY key")
        return [row.removeprefix(f"{self.database}/") for row in rows.splitlines()]


@attrs.frozen
class PostgresServer:
    bin_dir: Path
    data_dir: Path
    port: int
    user: str
    password: str
    run_as: str | None

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def sql(self, database: str, statement: str) -> str:
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
             "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
            env={**os.environ, "PGPASSWORD": self.password}, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def database(self) -> PostgresBackend:
        """A new, empty database on this server."""
        name = f"pulumi_{secrets.token_hex(4)}"
        self.sql("postgres", f"CREATE DATABASE {name}")
        return PostgresBackend(self, name)


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's programs (Debian keeps them off PATH)."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server in a temporary folder, on 127.0.0.1, stopped and removed afterwards.

    PostgreSQL refuses to run as root: as root, it runs as the `postgres` user the package made."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server is installed: run scripts/install-postgres.sh")
    run_as = "postgres" if os.geteuid() == 0 else None
    # Not under pytest's tmp_path: its parents are private to root, where `postgres` cannot go.
    root = Path(tempfile.mkdtemp(prefix="polytomic-postgres-"))
    data_dir, password_file = root / "data", root / "password"
    password = secrets.token_hex(12)
    password_file.write_text(password)
    if run_as:
        account = pwd.getpwnam(run_as)
        os.chown(root, account.pw_uid, account.pw_gid)
        os.chown(password_file, account.pw_uid, account.pw_gid)
    server = PostgresServer(bin_dir, data_dir, _free_port(), "pulumi", password, run_as)

    def run(*args: str) -> None:
        result = subprocess.run(server._command(*args), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data_dir), "-U", server.user, "--pwfile", str(password_file),
            "--auth", "scram-sha-256", "-E", "UTF8", "--no-instructions")
        run(str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(root / "server.log"), "-w", "start",
            "-o", f"-h 127.0.0.1 -p {server.port} -k {root}")
        try:
            yield server
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
