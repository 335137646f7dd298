"""Settings of the public HTTP API (limits, rate limits, CORS, persisted queries), from the
environment; `docs/configuration.md` lists them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.errors import ConfigurationError


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {text!r}") from None
    if value < minimum:
        raise ConfigurationError(
            f"{name} must be positive, got {value}"
            if minimum == 1
            else f"{name} must be {minimum} or more, got {value}"
        )
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off, got {text!r}")


def _token(env: Mapping[str, str], name: str) -> str | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    if len(text) < 32:
        raise ConfigurationError(f"{name} must be at least 32 characters (a random secret)")
    return text


@dataclass(frozen=True)
class ApiConfig:
    introspection: bool = True
    max_body_bytes: int = 1_048_576
    request_timeout_s: int = 10
    body_timeout_s: int = 10  # the whole request body must arrive within this (408 after)
    cors_origins: tuple[str, ...] = ("*",)
    rate_points: int = 5000  # per client and window, spent by query cost
    rate_window_s: int = 3600
    personal_lookups: int = 30  # per client and window: look-ups of a person's certificates
    trust_forwarded_for: bool = False
    trusted_documents: Path | None = None
    trusted_only_clients: tuple[
        str, ...
    ] = ()  # x-dte-client values that may send only trusted documents
    public_max_age_s: int = 60
    # Published certificates kept in memory for the look-up by number (0: off); see
    # registry/certificates/cache.py for how revocations reach every process.
    lookup_cache_entries: int = 20_000
    # `/metrics` answers only a request bearing this token (operators, Prometheus); unset: 404.
    # The look-up cache's counters grow only for numbers that exist, so they are not public.
    metrics_token: str | None = None
    # The binder (registry/certificates/binder.py): computes the holder bindings of batches
    # closed in parts and expires abandoned open ones. Off only where another process binds.
    binder: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ApiConfig:
        env = os.environ if env is None else env
        origins = tuple(
            o.strip() for o in env.get("REGISTRY_CORS_ORIGINS", "*").split(",") if o.strip()
        )
        manifest = env.get("REGISTRY_TRUSTED_DOCUMENTS") or None
        return cls(
            introspection=_flag(env, "REGISTRY_INTROSPECTION", True),
            max_body_bytes=_int(env, "REGISTRY_MAX_BODY_BYTES", 1_048_576),
            request_timeout_s=_int(env, "REGISTRY_REQUEST_TIMEOUT", 10),
            body_timeout_s=_int(env, "REGISTRY_BODY_TIMEOUT", 10),
            cors_origins=origins,
            rate_points=_int(env, "REGISTRY_RATE_LIMIT", 5000),
            rate_window_s=_int(env, "REGISTRY_RATE_WINDOW", 3600),
            personal_lookups=_int(env, "REGISTRY_PERSONAL_LOOKUPS", 30),
            trust_forwarded_for=_flag(env, "REGISTRY_TRUST_FORWARDED_FOR", False),
            trusted_documents=Path(manifest) if manifest else None,
            trusted_only_clients=tuple(
                c.strip()
                for c in env.get("REGISTRY_TRUSTED_ONLY_CLIENTS", "").split(",")
                if c.strip()
            ),
            public_max_age_s=_int(env, "REGISTRY_PUBLIC_MAX_AGE", 60),
            lookup_cache_entries=_int(env, "REGISTRY_LOOKUP_CACHE", 20_000, minimum=0),
            metrics_token=_token(env, "REGISTRY_METRICS_TOKEN"),
            binder=_flag(env, "REGISTRY_BINDER", True),
        )
