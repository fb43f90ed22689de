"""The reference project on a shared state backend, as teams run it from CI: Pulumi's S3 backend
against an S3-compatible server (moto's, on loopback, with dummy credentials).

Two runners are two checkouts of the project on the same backend: what one deploys, the other
sees; while one updates a stack, the backend's lock refuses the other.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import attrs
import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from tests.conftest import Project

pytestmark = pytest.mark.engine

BUCKET = "pulumi-state"
DUMMY_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
             "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
             "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}


@attrs.frozen
class S3Server:
    endpoint: str

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=DUMMY_AWS["AWS_REGION"],
                            aws_access_key_id=DUMMY_AWS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=DUMMY_AWS["AWS_SECRET_ACCESS_KEY"])

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    @property
    def backend_url(self) -> str:
        return f"s3://{BUCKET}?endpoint={self.endpoint}&use_path_style=true&region={DUMMY_AWS['AWS_REGION']}"


@pytest.fixture
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = S3Server(endpoint=f"http://{host}:{port}")
    s3.client().create_bucket(Bucket=BUCKET)
    try:
        yield s3
    finally:
        server.stop()


@pytest.fixture
def runners(reference_project, s3_server, tmp_path) -> Iterator[tuple[Project, Project]]:
    """Two checkouts of the reference project on the S3 backend; the dev stack destroyed after."""
    env = {**reference_project.env, **DUMMY_AWS, "PULUMI_BACKEND_URL": s3_server.backend_url}
    first = attrs.evolve(reference_project, env=env)
    second_directory = tmp_path / "second-checkout"
    shutil.copytree(first.directory, second_directory, symlinks=True)
    second = Project(second_directory, env)
    first.run("stack", "init", "dev")
    yield first, second
    first.run("destroy", "--yes", "--stack", "dev", check=False)
    first.run("stack", "rm", "--yes", "--force", "dev", check=False)


def test_a_stack_deployed_by_one_runner_is_up_to_date_for_another(runners, s3_server, emulator):
    first, second = runners
    first.run("up", "--yes", "--stack", "dev")
    assert any(key.endswith("stacks/polytomic-pipelines/dev.json") for key in s3_server.keys(".pulumi/"))

    emulator.clear_requests_log()
    second.run("preview", "--expect-no-changes", "--stack", "dev")
    assert emulator.writes() == []


def test_a_second_runner_is_refused_while_the_first_holds_the_lock(runners, s3_server, emulator):
    first, second = runners
    emulator.set_faults(latency_ms=300)  # long enough an update to be caught holding the lock
    slow = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"],
        cwd=first.directory, env=first.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not s3_server.keys(".pulumi/locks/") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert s3_server.keys(".pulumi/locks/"), "the first update never took the lock"

        refused = second.run("up", "--yes", "--skip-preview", "--stack", "dev", check=False)
        assert slow.poll() is None, "the first update ended before the second runner tried"
        assert refused.returncode != 0
        assert "the stack is currently locked" in refused.stdout + refused.stderr
    finally:
        output, _ = slow.communicate(timeout=600)
        emulator.set_faults()
    assert slow.returncode == 0, output
    assert s3_server.keys(".pulumi/locks/") == []
