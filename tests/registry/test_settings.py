"""Where the master key lives (issue 14, item 17): not beside the database files by default, in
a file only its owner reads, with `REGISTRY_MASTER_KEY_FILE` to choose the place; a key an older
version left in the data directory is moved out, never silently replaced."""

from __future__ import annotations

import base64
import logging
import secrets
import stat
from pathlib import Path

import pytest

from registry.errors import ConfigurationError
from registry.settings import Settings


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"REGISTRY_DATA_DIR": str(tmp_path / "var"), **env})


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_generated_key_is_kept_apart_from_the_data_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = settings(tmp_path, HOME=str(home))
    key = made.master_key()
    where = home / ".config" / "dte-registry" / "master.key"
    assert made.master_key_file == where
    assert base64.b64decode(where.read_text()) == key
    assert mode(where) == 0o600 and mode(where.parent) == 0o700
    data_dir = tmp_path / "var"
    assert not data_dir.exists() or not any(data_dir.rglob("*.key"))
    assert settings(tmp_path, HOME=str(home)).master_key() == key  # the same key next time


def test_xdg_config_home_and_the_override(tmp_path: Path) -> None:
    xdg = settings(tmp_path, HOME=str(tmp_path / "h"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    assert xdg.master_key_file == tmp_path / "xdg" / "dte-registry" / "master.key"
    chosen = tmp_path / "secrets" / "registry.key"
    override = settings(tmp_path, HOME=str(tmp_path / "h"), REGISTRY_MASTER_KEY_FILE=str(chosen))
    key = override.master_key()
    assert base64.b64decode(chosen.read_text()) == key and mode(chosen) == 0o600
    assert not (tmp_path / "h").exists()


def test_without_a_home_the_key_must_be_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="REGISTRY_MASTER_KEY_FILE"):
        settings(tmp_path).master_key()


def test_a_key_left_in_the_data_directory_is_moved_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = tmp_path / "var" / "master.key"
    legacy.parent.mkdir()
    old = secrets.token_bytes(32)
    legacy.write_text(base64.b64encode(old).decode() + "\n")
    home = tmp_path / "home"
    with caplog.at_level(logging.WARNING):
        assert settings(tmp_path, HOME=str(home)).master_key() == old
    assert not legacy.exists()
    assert (home / ".config" / "dte-registry" / "master.key").exists()
    assert "moved the master key out of the data directory" in caplog.text


def test_two_different_keys_are_refused_not_guessed(tmp_path: Path) -> None:
    legacy = tmp_path / "var" / "master.key"
    legacy.parent.mkdir()
    legacy.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    home = tmp_path / "home"
    settings(tmp_path / "other", HOME=str(home)).master_key()  # a key already in the key file
    with pytest.raises(ConfigurationError, match="two different master keys"):
        settings(tmp_path, HOME=str(home)).master_key()
    assert legacy.exists()
