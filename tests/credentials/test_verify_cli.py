"""`registry verify`: exit codes, inputs of every kind, and no traceback whatever the input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from credentials import qr
from service.verify_cli import verify_command
from tests.credentials._log_support import WITNESS_1, cosigned, log_bundle_document, logged
from tests.credentials._support import (
    CARD,
    OLD_KEY,
    OTHER_CARD,
    OTHER_ROOT_KEY,
    REVOKED_INDEX,
    ROOT_KEY,
    SIGNED_VECTOR,
    VECTOR_KEY,
    at,
    bundle_document,
    issue,
)

ROOT_MB = ROOT_KEY.public_key.multibase


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Keep the rollback store out of the home directory and the root key out of the environment.
    monkeypatch.setenv("REGISTRY_BUNDLE_STATE", str(tmp_path / "state.json"))
    monkeypatch.delenv("REGISTRY_ROOT_KEY", raising=False)
    return CliRunner()


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(verify_command, list(args), env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def certificate() -> dict[str, Any]:
    return issue()


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    # Dated just now: the CLI verifies at the real current time.
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_document(issued=issued, sequence=9)), "utf-8")
    return path


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    return path


# --- the W3C vector ---------------------------------------------------------------------------


def test_w3c_vector_verifies_with_its_key(runner: CliRunner) -> None:
    result = run(runner, str(SIGNED_VECTOR), "--key", VECTOR_KEY)
    assert result.exit_code == 0, result.output
    assert "SIGNATURE VALID" in result.output
    assert "NOT checked" in result.output


def test_w3c_vector_json_report(runner: CliRunner) -> None:
    result = run(runner, str(SIGNED_VECTOR), "--key", VECTOR_KEY, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["verdict"] == "SIGNATURE_VALID_ISSUER_NOT_CHECKED"
    assert report["mode"] == "key"


def _strict_json(data: bytes) -> Any:
    """An independent reading of "is this still JSON": strict UTF-8, no duplicates, no NaN."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise ValueError(name)

    return json.loads(
        data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
    )


def test_every_one_byte_change_of_the_vector_is_caught(runner: CliRunner, tmp_path: Path) -> None:
    """Exhaustive: every byte position, two different substitutions each."""
    original = SIGNED_VECTOR.read_bytes()
    reference = json.dumps(json.loads(original))
    target = tmp_path / "mutated.json"
    outcomes = {0: 0, 1: 0, 2: 0}
    for position in range(len(original)):
        for flip in (0x01, 0x20):
            mutated = bytearray(original)
            mutated[position] ^= flip
            target.write_bytes(bytes(mutated))
            try:
                parsed = _strict_json(bytes(mutated))
            except (ValueError, UnicodeDecodeError):
                expected = {2}
            else:
                # Whitespace-for-whitespace leaves the content as it was; none of these flips
                # do that, but the rule is stated, not assumed.
                expected = {0} if json.dumps(parsed) == reference else {1}
            result = runner.invoke(verify_command, [str(target), "--key", VECTOR_KEY])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            assert result.exit_code in expected, (position, flip, result.output)
            if result.exit_code == 2:
                assert "error:" in result.stderr
            outcomes[result.exit_code] += 1
    assert outcomes[0] == 0
    assert outcomes[1] > 1000  # most single-byte changes keep valid JSON and break the proof


# --- full verification ------------------------------------------------------------------------


def test_a_certificate_file_is_valid(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    result = run(runner, str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Certificate (confirmed: the verdict below is VALID)"
    assert next(line for line in lines if line.startswith("[")).startswith("[ OK ] input")
    assert lines[-1].startswith("Verdict: VALID")
    assert any(line.startswith("[ -- ] holder_binding") for line in lines)


def test_a_dte1_literal_is_valid(
    runner: CliRunner, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    text = qr.encode_text(certificate)
    result = run(runner, text, "--bundle", str(bundle_file), "--root-key", ROOT_MB, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "VALID"


def test_a_dte1_text_file_and_a_qr_image_are_valid(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    text_file = write(tmp_path, "code.txt", qr.encode_text(certificate) + "\n")
    image = write(tmp_path, "photo.dat", qr.to_png(certificate))  # content decides, not name
    for path in (text_file, image):
        result = run(runner, str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB)
        assert result.exit_code == 0, result.output


def test_root_key_from_the_environment(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    result = run(
        runner, str(path), "--bundle", str(bundle_file), env={"REGISTRY_ROOT_KEY": ROOT_MB}
    )
    assert result.exit_code == 0, result.output


def test_no_root_key_is_exit_2_with_a_reason(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    result = run(runner, str(path), "--bundle", str(bundle_file))
    assert result.exit_code == 2
    assert "REGISTRY_ROOT_KEY" in result.stderr and "root key" in result.stderr


def test_a_bundle_under_another_root_key_is_refused(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    other = OTHER_ROOT_KEY.public_key.multibase
    result = run(runner, str(path), "--bundle", str(bundle_file), "--root-key", other)
    assert result.exit_code == 2
    assert "BUNDLE_UNTRUSTED_KEY" in result.stderr


def test_an_older_bundle_after_a_newer_one_is_refused(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    assert (
        run(runner, str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB).exit_code == 0
    )
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    older = write(tmp_path, "older.json", bundle_document(issued=issued, sequence=8))
    result = run(runner, str(path), "--bundle", str(older), "--root-key", ROOT_MB)
    assert result.exit_code == 2
    assert "BUNDLE_ROLLBACK" in result.stderr


def test_revoked_is_exit_1(runner: CliRunner, tmp_path: Path, bundle_file: Path) -> None:
    path = write(tmp_path, "cert.json", issue(index=REVOKED_INDEX, serial=40))
    result = run(runner, str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 1
    assert "[FAIL] status" in result.stdout
    assert "Verdict: INVALID" in result.stdout


def test_card_number(
    runner: CliRunner, tmp_path: Path, bundle_file: Path, certificate: dict[str, Any]
) -> None:
    path = write(tmp_path, "cert.json", certificate)
    args = [str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB, "--card"]
    assert run(runner, *args, CARD).exit_code == 0
    wrong = run(runner, *args, OTHER_CARD)
    assert wrong.exit_code == 1
    assert "[FAIL] holder_binding" in wrong.stdout
    assert OTHER_CARD not in wrong.output


def test_status_unknown_is_not_exit_0(
    runner: CliRunner, tmp_path: Path, certificate: dict[str, Any]
) -> None:
    stale = write(
        tmp_path, "stale.json", bundle_document(issued=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    )
    path = write(tmp_path, "cert.json", certificate)
    result = run(runner, str(path), "--bundle", str(stale), "--root-key", ROOT_MB)
    assert result.exit_code == 1
    assert "[ ?? ] status" in result.stdout
    assert "STATUS UNKNOWN" in result.stdout


# --- unreadable -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02garbage", b'{"a": 1,}', b"\xff\xfe{}", b'{"a": NaN}', b'{"a":1,"a":2}'],
    ids=["empty", "binary", "trailing-comma", "not-utf8", "nan", "duplicate-key"],
)
def test_unreadable_input_is_exit_2(runner: CliRunner, tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "in.json", content)
    result = run(runner, str(path), "--key", VECTOR_KEY)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert result.stdout == ""


def test_deeply_nested_json_is_exit_2_or_1_never_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, "deep.json", "[" * 200_000 + "]" * 200_000)
    assert run(runner, str(path), "--key", VECTOR_KEY).exit_code in (1, 2)


def test_a_broken_dte1_code_is_exit_2(runner: CliRunner) -> None:
    result = run(runner, "DTE1:NOT BASE45 AT ALL!", "--key", VECTOR_KEY)
    assert result.exit_code == 2
    assert "QR_BASE45" in result.stderr


def test_a_missing_file_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, str(tmp_path / "nope.json"), "--key", VECTOR_KEY)
    assert result.exit_code == 2
    assert "neither a file" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--key", VECTOR_KEY, "--bundle", "b.json"],
        ["--key", "z6MkNOTAKEY"],
        ["--key", VECTOR_KEY, "--root-key", VECTOR_KEY],
    ],
    ids=["neither", "both", "bad-key", "root-key-without-bundle"],
)
def test_bad_options_are_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = run(runner, str(SIGNED_VECTOR), *args)
    assert result.exit_code == 2
    assert result.stderr


def test_a_non_object_json_document_is_invalid(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", [1, 2, 3])
    result = run(runner, str(path), "--key", VECTOR_KEY)
    assert result.exit_code == 1
    assert "[FAIL] input" in result.stdout


# --- the credential file and its log (issue 15) ----------------------------------------------


def _log_bundle(tmp_path: Path, witnesses: list[Any]) -> Path:
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    return write(
        tmp_path, "log-bundle.json", log_bundle_document(witnesses=witnesses, issued=issued)
    )


def test_the_certificate_file_is_in_the_log_and_witnesses_can_be_required(
    runner: CliRunner, tmp_path: Path
) -> None:
    bundle = str(_log_bundle(tmp_path, [WITNESS_1]))
    root = ROOT_KEY.public_key.multibase
    file, _ = logged(issue(), 3, 8)
    plain = write(tmp_path, "file.json", file)
    result = run(runner, str(plain), "--bundle", bundle, "--root-key", root)
    assert result.exit_code == 0, result.output
    assert "in the registry's public log: entry 3 of 8" in result.output
    result = run(
        runner,
        str(plain),
        "--bundle",
        bundle,
        "--root-key",
        root,
        "--require-witnesses",
        "1",
        "--json",
    )
    assert result.exit_code == 1
    assert json.loads(result.output)["checks"][-1]["code"] == "LOG_WITNESSES_MISSING"
    file["inclusion"]["checkpoint"] = cosigned(file["inclusion"]["checkpoint"], WITNESS_1)
    witnessed = write(tmp_path, "witnessed.json", file)
    result = run(
        runner, str(witnessed), "--bundle", bundle, "--root-key", root, "--require-witnesses", "1"
    )
    assert result.exit_code == 0, result.output
    result = run(runner, str(witnessed), "--key", root, "--require-witnesses", "1")
    assert result.exit_code == 2
    assert "--require-witnesses only applies with --bundle" in result.output


def test_a_retired_keys_bare_certificate_is_unconfirmed_exit_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    bundle = str(_log_bundle(tmp_path, []))
    old = write(tmp_path, "old.json", issue(key=OLD_KEY, when=at("2024-06-01T02:00:00")))
    result = run(runner, str(old), "--bundle", bundle, "--root-key", ROOT_KEY.public_key.multibase)
    assert result.exit_code == 1
    assert "UNCONFIRMED: signed with a key that is now retired or compromised" in result.output
