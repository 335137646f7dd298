"""Settings, read once from the environment.

Everything a deployment changes is an environment variable (12-factor); `docs/configuration.md`
lists them. A missing master key is generated into the data directory on first run, with a
warning, so the demo works out of the box; production sets `REGISTRY_MASTER_KEY`.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from registry.errors import ConfigurationError

log = logging.getLogger("registry.settings")

MASTER_KEY_FILE = "master.key"
MASTER_KEY_BYTES = 32


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    mongodb_uri: str | None
    database: str
    host: str
    port: int
    base_url: str
    master_key_b64: str | None = field(default=None, repr=False)

    @property
    def embedded(self) -> bool:
        return self.mongodb_uri is None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        host = env.get("REGISTRY_HOST", "127.0.0.1")
        port_text = env.get("REGISTRY_PORT", "8000")
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigurationError(
                f"REGISTRY_PORT must be a port number, got {port_text!r}"
            ) from None
        if not 0 < port < 65536:
            raise ConfigurationError(f"REGISTRY_PORT must be 1-65535, got {port}")
        return cls(
            data_dir=Path(env.get("REGISTRY_DATA_DIR", "./var")).resolve(),
            mongodb_uri=env.get("REGISTRY_MONGODB_URI") or None,
            database=env.get("REGISTRY_DATABASE", "dte_registry"),
            host=host,
            port=port,
            base_url=env.get("REGISTRY_BASE_URL", f"http://{host}:{port}").rstrip("/"),
            master_key_b64=env.get("REGISTRY_MASTER_KEY") or None,
        )

    def master_key(self) -> bytes:
        """The 32-byte key that encrypts personal data and institution keys at rest."""
        if self.master_key_b64 is not None:
            return _decode_master_key(self.master_key_b64, "REGISTRY_MASTER_KEY")
        path = self.data_dir / MASTER_KEY_FILE
        if path.exists():
            return _decode_master_key(path.read_text().strip(), str(path))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        text = base64.b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode()
        # O_EXCL: two processes starting together must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _decode_master_key(path.read_text().strip(), str(path))
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        log.warning(
            "REGISTRY_MASTER_KEY is not set: generated a new master key in %s. "
            "Back it up: without it the encrypted data cannot be read.",
            path,
        )
        return base64.b64decode(text)


def _decode_master_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        raise ConfigurationError(f"{where}: master key is not valid base64") from None
    if len(key) != MASTER_KEY_BYTES:
        raise ConfigurationError(
            f"{where}: master key must decode to {MASTER_KEY_BYTES} bytes, got {len(key)}"
        )
    return key
