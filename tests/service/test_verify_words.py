"""`registry verify` names the certificate before the checks (issue 16, item 5): holder, number,
occupation, level and the issuer's name from the trust bundle; for any verdict but VALID it says
the named details are the credential's claims; hostile text never reaches the terminal raw."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from credentials import sign_proof
from service.verify_cli import verify_command
from tests.credentials._support import (
    CARD,
    ISSUED,
    NEW_KEY,
    REVOKED_INDEX,
    ROOT_KEY,
    bundle_document,
    issue,
)

ROOT_MB = ROOT_KEY.public_key.multibase
BUNDLE_NAME = "福建示例评价中心"  # institution A's name in the test bundle
ANSI_NAME = "张三\x1b[2J\x1b[31mVALID\x1b]0;owned\x07"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("REGISTRY_BUNDLE_STATE", str(tmp_path / "state.json"))
    monkeypatch.delenv("REGISTRY_ROOT_KEY", raising=False)
    return CliRunner()


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_document(issued=issued, sequence=9)), "utf-8")
    return path


def verify(runner: CliRunner, tmp_path: Path, credential: Any, *args: str) -> Result:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), "utf-8")
    result = runner.invoke(verify_command, [str(path), *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def resigned(credential: dict[str, Any], **subject: Any) -> dict[str, Any]:
    """`credential` with its subject changed and signed again by its own issuer's key: what an
    issuer (or a thief of its key) could make, beyond what the schema lets through."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialSubject"] = {**credential["credentialSubject"], **subject}
    return sign_proof(unsigned, NEW_KEY, created=ISSUED)


def description_lines(output: str) -> list[str]:
    lines = output.splitlines()
    first_check = next(i for i, line in enumerate(lines) if line.startswith("["))
    return lines[:first_check]


def test_a_valid_certificate_is_named_before_the_checks(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    certificate = issue(level=2, direction="计算机视觉产品实现", uscc="91350100M000100Y43")
    result = verify(
        runner, tmp_path, certificate, "--bundle", str(bundle_file), "--root-key", ROOT_MB
    )
    assert result.exit_code == 0, result.output
    words = description_lines(result.stdout)
    number = certificate["credentialSubject"]["certificate"]["number"]
    assert words == [
        "Certificate (confirmed: the verdict below is VALID)",
        "  Holder:     张三",
        f"  Number:     {number}",
        "  Occupation: 人工智能工程技术人员 (2-02-10-09)",
        "  Direction:  计算机视觉产品实现",
        "  Level:      2 中级 (intermediate)",
        f"  Issuer:     {BUNDLE_NAME} (name from the trust bundle)",
    ]
    assert result.stdout.splitlines()[-1].startswith("Verdict: VALID")


def test_the_issuers_name_comes_from_the_bundle_not_the_credential(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    certificate = issue()
    unsigned = {k: v for k, v in certificate.items() if k != "proof"}
    unsigned["issuer"] = {**certificate["issuer"], "name": "国家级权威认证中心"}
    claimed = sign_proof(unsigned, NEW_KEY, created=ISSUED)
    result = verify(runner, tmp_path, claimed, "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 0, result.output
    assert f"  Issuer:     {BUNDLE_NAME} (name from the trust bundle)" in result.stdout
    assert "国家级权威认证中心" not in result.stdout


def test_without_a_bundle_the_issuer_is_said_to_be_the_credentials_claim(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = verify(runner, tmp_path, issue(), "--key", NEW_KEY.public_key.multibase)
    assert result.exit_code == 0, result.output
    words = description_lines(result.stdout)
    assert words[0] == (
        "Certificate (NOT confirmed: these are the credential's claims, not checked facts)"
    )
    assert words[-1] == (
        f"  Issuer:     {BUNDLE_NAME} (the credential's own claim: no trust bundle was given)"
    )


def test_an_invalid_certificate_is_named_as_unconfirmed_claims(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    revoked = issue(index=REVOKED_INDEX, serial=40)
    result = verify(runner, tmp_path, revoked, "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 1
    words = description_lines(result.stdout)
    assert words[0] == (
        "Certificate (NOT confirmed: these are the credential's claims, not checked facts)"
    )
    assert "  Holder:     张三" in words
    tampered = {**revoked, "credentialSubject": {**revoked["credentialSubject"], "name": "李四"}}
    result = verify(runner, tmp_path, tampered, "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 1
    assert "[FAIL] proof" in result.stdout
    words = description_lines(result.stdout)
    assert "NOT confirmed" in words[0]
    assert "  Holder:     李四" in words


def test_a_name_with_terminal_escapes_is_printed_escaped(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    hostile = resigned(issue(), name=ANSI_NAME)
    result = verify(runner, tmp_path, hostile, "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert result.exit_code == 1  # the schema refuses control characters in a name
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    words = description_lines(result.stdout)
    assert "NOT confirmed" in words[0]
    assert "  Holder:     张三\\u001b[2J\\u001b[31mVALID\\u001b]0;owned\\u0007" in words


def test_an_id_number_in_a_name_is_never_printed(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    hostile = resigned(issue(), name=f"张三 {CARD}")
    result = verify(runner, tmp_path, hostile, "--bundle", str(bundle_file), "--root-key", ROOT_MB)
    assert CARD not in result.output
    assert "  Holder:     张三 ***" in description_lines(result.stdout)
    as_json = verify(runner, tmp_path, hostile, "--bundle", str(bundle_file), "--json")
    assert CARD not in as_json.output


def test_the_json_report_carries_the_description(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    certificate = issue()
    args = ("--bundle", str(bundle_file), "--root-key", ROOT_MB, "--json")
    report = json.loads(verify(runner, tmp_path, certificate, *args).stdout)
    number = certificate["credentialSubject"]["certificate"]["number"]
    assert report["description"] == {
        "kind": "certificate",
        "confirmed": True,
        "issuerSource": "bundle",
        "fields": [
            ["holder", "张三"],
            ["number", number],
            ["occupation", "人工智能工程技术人员 (2-02-10-09)"],
            ["level", "1"],
            ["issuer", BUNDLE_NAME],
        ],
    }


# --- docs/verifying.md: the examples of "Whose certificate", as written -------------------------

ROOT = Path(__file__).resolve().parents[2]


def section_blocks(doc: str, heading: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block in the section under `heading` of docs/`doc`."""
    text = (ROOT / "docs" / doc).read_text("utf-8")
    section = text.split(heading + "\n", 1)[1].split("\n#", 1)[0]
    parts = section.split("```")[1::2]
    return [(part.split("\n", 1)[0], part.split("\n", 1)[1]) for part in parts]


def test_the_docs_command_line_examples_print_what_they_show(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    blocks = section_blocks("verifying.md", "### Whose certificate: the lines before the checks")
    console = [body for language, body in blocks if language == "console"]
    assert len(console) == 1
    runs = console[0].split("$ ")[1:]
    assert len(runs) == 2
    for run in runs:
        command, expected = run.split("\n", 1)
        program, subcommand, *args = shlex.split(command)
        assert (program, subcommand) == ("registry", "verify")
        result = runner.invoke(verify_command, args, catch_exceptions=False)
        assert result.stdout == expected, command


def test_the_docs_python_example_prints_what_it_shows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    blocks = section_blocks("verifying.md", "### Whose certificate: the lines before the checks")
    (code,) = [body for language, body in blocks if language == "python"]
    (expected,) = [body for language, body in blocks if language == "text"]
    exec(compile(code, "docs/verifying.md", "exec"), {})
    assert capsys.readouterr().out == expected


def test_a_lone_surrogate_in_a_name_is_printed_escaped_in_text_and_json(
    runner: CliRunner, tmp_path: Path, bundle_file: Path
) -> None:
    certificate = issue()  # a lone surrogate cannot be signed (not JSON for JCS): unsigned here
    hostile = {**certificate, "credentialSubject": {**certificate["credentialSubject"]}}
    hostile["credentialSubject"]["name"] = "张\ud800三"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(hostile), "ascii")  # the JSON escape \ud800, as a forger writes it
    args = [str(path), "--bundle", str(bundle_file), "--root-key", ROOT_MB]
    text = runner.invoke(verify_command, args, catch_exceptions=False)
    assert text.exit_code == 1, text.output
    assert "  Holder:     张\\ud800三" in description_lines(text.stdout)
    as_json = runner.invoke(verify_command, [*args, "--json"], catch_exceptions=False)
    assert as_json.exit_code == 1, as_json.output
    assert json.loads(as_json.stdout)["description"]["fields"][0] == ["holder", "张\ud800三"]
