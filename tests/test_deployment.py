"""The deployment files say what docs/deployment.md promises (read by their real parsers: the
`dockerfile` package is Docker's own Go parser, compose.yaml is YAML), and the image's entrypoint,
health checks and documented connection-string options run for real: `deploy/entrypoint.sh serve`
against the embedded SecantusDB, a one-member replica set, with the options deploy/make-secrets.sh
writes. No Docker daemon or MongoDB image is used: what that leaves unrun is in the page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dockerfile
import httpx
import pytest
import yaml
from pymongo import MongoClient

from tests.conftest import free_port
from tests.factories import MASTER_KEY_B64

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PAGE = ROOT / "docs" / "deployment.md"
SECRET_WORDS = re.compile(r"KEY|TOKEN|PASSWORD|SECRET|URI|CREDENTIAL", re.I)
ROOT_USERS = {"", "root", "0", "0:0", "root:root"}


def stages() -> list[list[Any]]:
    """The Dockerfile's instructions, one list per `FROM`."""
    found: list[list[Any]] = []
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd == "FROM":
            found.append([])
        if found:
            found[-1].append(command)
    return found


def final(cmd: str) -> list[Any]:
    return [c for c in stages()[-1] if c.cmd == cmd]


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def documented_options() -> str:
    """The connection-string options deploy/make-secrets.sh writes; the page shows the same."""
    found = re.search(r'^options="([^"]+)"$', (DEPLOY / "make-secrets.sh").read_text(), re.M)
    assert found
    return found.group(1)


# --- the image -------------------------------------------------------------------------------


def test_the_image_is_built_in_stages_and_runs_as_a_user_without_privileges() -> None:
    assert len(stages()) >= 2
    [user] = final("USER")
    assert user.value[0] not in ROOT_USERS
    assert all(c.cmd != "USER" or c.value[0] not in ROOT_USERS for c in stages()[-1])


def test_the_image_checks_health_with_the_service_route() -> None:
    [check] = final("HEALTHCHECK")
    assert check.value[0] == "CMD"
    assert "/healthz" in " ".join(check.value)
    assert final("EXPOSE")[0].value == ("8000",)


def test_the_image_names_its_writable_volume_and_no_secret() -> None:
    env = dict(pair for c in final("ENV") for pair in zip(c.value[::2], c.value[1::2], strict=True))
    assert final("VOLUME")[0].value == (env["REGISTRY_DATA_DIR"],)
    for name, value in env.items():
        if SECRET_WORDS.search(name):
            assert name.endswith(("_FILE", "_DIR")) and value.startswith("/run/secrets/"), name


def test_the_image_copies_only_what_exists() -> None:
    for stage in stages():
        for copy in (c for c in stage if c.cmd == "COPY" and not c.flags):
            for source in copy.value[:-1]:
                assert (ROOT / source).exists(), source


# --- the compose file ------------------------------------------------------------------------


def test_three_members_of_one_replica_set_with_a_keyfile() -> None:
    services = compose()["services"]
    members = [s for s in services.values() if "--replSet" in s.get("command", [])]
    assert len(members) == 3
    for member in members:
        command = member["command"]
        assert command[command.index("--replSet") + 1] == "rs0"
        assert "--keyFile" in command and "mongo_keyfile" in member["secrets"]
    hosts = sorted(f"{s['hostname']}:27017" for s in members)
    init = (DEPLOY / "mongo-init.js").read_text()
    listed = re.search(r"const MEMBERS = \[([^\]]+)\]", init)
    assert listed and sorted(re.findall(r"'([^']+)'", listed.group(1))) == hosts
    assert f"mongodb://registry:%s@{','.join(hosts)}/?" in (DEPLOY / "make-secrets.sh").read_text()


def test_the_service_runs_read_only_as_a_user_and_waits_for_readiness() -> None:
    service = compose()["services"]["registry"]
    assert service["read_only"] is True
    assert str(service["user"]) not in ROOT_USERS
    assert any(t.startswith("/tmp") for t in service["tmpfs"])
    assert any(v.endswith(":/var/lib/dte-registry") for v in service["volumes"])
    assert "/readyz" in " ".join(service["healthcheck"]["test"])
    assert service["cap_drop"] == ["ALL"]


def test_no_secret_is_an_environment_value() -> None:
    spec = compose()
    declared = spec["secrets"]
    for name, service in spec["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_WORDS.search(key):
                assert key.endswith("_FILE"), f"{name}: {key} is a secret given as a value"
                secret = str(value).removeprefix("/run/secrets/")
                assert secret in declared and secret in service["secrets"], (name, key)
    for secret in declared.values():
        assert secret["file"].startswith("./secrets/")
    assert "deploy/secrets/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_page_shows_the_options_the_secrets_script_writes() -> None:
    assert documented_options() in PAGE.read_text(encoding="utf-8")


# --- the entrypoint and the documented options, for real ------------------------------------


def replica_set_uri(mongodb_uri: str) -> str:
    """The test database's address and login with the documented options, naming its set."""
    with MongoClient(mongodb_uri) as client:
        name = client.admin.command("hello").get("setName")
    if not name:
        pytest.skip("the test database is not a replica set")
    parts = urlsplit(mongodb_uri)
    options = documented_options().replace("replicaSet=rs0", f"replicaSet={name}")
    return urlunsplit(parts._replace(path="/", query=options))


def test_the_documented_options_reach_a_replica_set_primary(mongodb_uri: str) -> None:
    uri = replica_set_uri(mongodb_uri)
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        client.admin.command("ping")
        assert client.topology_description.topology_type_name == "ReplicaSetWithPrimary"
        assert client.write_concern.document == {"w": "majority", "j": True}
        assert client.read_concern.level == "majority"
        assert client.read_preference.mongos_mode == "primary"


def _secrets(tmp_path: Path, uri: str) -> dict[str, str]:
    files = {"mongodb_uri": uri, "master_key": MASTER_KEY_B64, "metrics_token": "m" * 40}
    for name, text in files.items():
        (tmp_path / name).write_text(text + "\n")
        (tmp_path / name).chmod(0o400)
    return {
        "REGISTRY_MONGODB_URI_FILE": str(tmp_path / "mongodb_uri"),
        "REGISTRY_MASTER_KEY_FILE": str(tmp_path / "master_key"),
        "REGISTRY_METRICS_TOKEN_FILE": str(tmp_path / "metrics_token"),
    }


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    venv = str(Path(sys.executable).parent)
    return {
        **keep,
        "PATH": f"{venv}:{keep.get('PATH', '')}",
        "REGISTRY_DATA_DIR": str(tmp_path / "data"),
        "REGISTRY_HOST": "127.0.0.1",
        "REGISTRY_DATABASE": f"t_deploy_{os.getpid()}",
        **extra,
    }


def _check(command: list[str], port: int, env: dict[str, str]) -> int:
    """Run a health check's `CMD` as the container would (REGISTRY_PORT in its environment)."""
    return subprocess.run(
        command, env={**env, "REGISTRY_PORT": str(port)}, capture_output=True, timeout=20
    ).returncode


def test_the_entrypoint_serves_with_secrets_from_files(tmp_path: Path, mongodb_uri: str) -> None:
    port = free_port()
    env = _environment(tmp_path, **_secrets(tmp_path, replica_set_uri(mongodb_uri)))
    env["REGISTRY_PORT"] = str(port)
    health = list(final("HEALTHCHECK")[0].value[1:])
    ready = compose()["services"]["registry"]["healthcheck"]["test"][1:]
    assert _check(ready, port, env) != 0  # nothing listens yet: the check fails
    server = subprocess.Popen(
        ["sh", str(DEPLOY / "entrypoint.sh"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while _check(ready, port, env) != 0:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "not ready within 60 s"
            time.sleep(0.5)
        assert _check(health, port, env) == 0
        metrics = httpx.get(
            f"http://127.0.0.1:{port}/metrics", headers={"authorization": f"Bearer {'m' * 40}"}
        )
        assert metrics.status_code == 200  # the token came from its file
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"REGISTRY_METRICS_TOKEN": "x" * 40}, 64, "set REGISTRY_METRICS_TOKEN or"),
        ({"REGISTRY_PORT_FILE": "/nonexistent/port"}, 66, "cannot be read"),
    ],
)
def test_the_entrypoint_refuses_a_secret_twice_or_unreadable(
    tmp_path: Path, extra: dict[str, str], status: int, message: str
) -> None:
    env = _environment(tmp_path, **_secrets(tmp_path, "mongodb://127.0.0.1:1/"), **extra)
    done = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "serve"], env=env, capture_output=True, timeout=30
    )
    assert done.returncode == status
    assert message in done.stderr.decode()


def test_the_entrypoint_passes_a_file_value_to_the_service(tmp_path: Path) -> None:
    """REGISTRY_PORT_FILE becomes REGISTRY_PORT: the service's own check names the value."""
    (tmp_path / "port").write_text("not-a-port\n")
    env = _environment(
        tmp_path,
        **_secrets(tmp_path, "mongodb://127.0.0.1:1/"),
        REGISTRY_PORT_FILE=str(tmp_path / "port"),
    )
    done = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "serve"], env=env, capture_output=True, timeout=30
    )
    assert done.returncode != 0
    assert "REGISTRY_PORT must be a port number, got 'not-a-port'" in done.stderr.decode()


def test_make_secrets_writes_every_secret_compose_mounts(tmp_path: Path) -> None:
    out = tmp_path / "secrets"
    subprocess.run(["bash", str(DEPLOY / "make-secrets.sh"), str(out)], check=True, timeout=30)
    assert sorted(p.name for p in out.iterdir()) == sorted(compose()["secrets"])
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.iterdir())
    uri = (out / "mongodb_uri").read_text().strip()
    assert (out / "mongo_registry_password").read_text().strip() in uri
    assert uri.endswith("/?" + documented_options())
    assert 6 <= len((out / "mongo_keyfile").read_text()) <= 1024  # mongod's keyfile limits
    again = subprocess.run(["bash", str(DEPLOY / "make-secrets.sh"), str(out)], timeout=30)
    assert again.returncode == 1  # never overwrites the master key
