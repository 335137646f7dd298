"""Hostile credential files for the differential run (issue 15): envelopes, inclusion proofs,
checkpoints and signed notes that the Python verifier and the page must judge alike — wrong
origin, wrong key id, extra and malformed signature lines, sizes as huge or odd integers, base64
variants, proofs of the wrong length, and envelopes of the wrong shape. Built from the corpus's
logged certificate (cases/in-log.json) and signed with the corpus's log key where the point is
that the signature holds and something else does not.
"""

from __future__ import annotations

import base64
import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

from credentials import SigningKey
from credentials.transparency import COSIGNATURE_V1, NoteSigner, cosign

from .conftest import CORPUS

Item = tuple[str, bytes]
"""An input's id and a file's bytes (tests/web/hostile.py makes them `Hostile`)."""


def as_json(document: Any) -> bytes:
    # ASCII escapes, so that a lone surrogate is written as the JSON escape \ud800.
    return json.dumps(document).encode("ascii")


# As scripts/make_conformance_corpus.py: the log key the corpus's bundle lists, and another.
LOG = NoteSigner("dte-registry.cn/log", SigningKey.from_seed(bytes([0x58]) * 32))
STRANGER = NoteSigner("dte-registry.cn/log", SigningKey.from_seed(bytes([0x60]) * 32))
WITNESS = NoteSigner("witness.example/w1", SigningKey.from_seed(bytes([0x61]) * 32), COSIGNATURE_V1)
FILE = json.loads((CORPUS / "cases" / "in-log.json").read_text("utf-8"))
RETIRED = json.loads((CORPUS / "cases" / "retired-key-in-log.json").read_text("utf-8"))
NOTE: str = FILE["inclusion"]["checkpoint"]
BODY, SIGNATURES = NOTE.split("\n\n")


def _edit(edit: Callable[[dict[str, Any]], Any], base: dict[str, Any] = FILE) -> bytes:
    document = copy.deepcopy(base)
    edit(document["inclusion"])
    return as_json(document)


def _note(note: Any) -> bytes:
    return _edit(lambda inc: inc.update(checkpoint=note))


def _raw_sign(text: str) -> str:
    """`text` signed by the log key whatever it holds (NoteSigner.sign refuses what no note is)."""
    return text + "\n" + LOG.signature(text.encode("utf-8")).line()


def _resigned(body: str) -> bytes:
    """The file with its checkpoint text replaced by `body`, signed by the right log key."""
    return _note(_raw_sign(body))


def _literal(field: str, literal: str) -> bytes:
    """The file with `field` of the inclusion written as this JSON literal."""
    text = json.dumps(FILE, ensure_ascii=False)
    old = f'"{field}": {FILE["inclusion"][field]}'
    assert old in text
    return text.replace(old, f'"{field}": {literal}', 1).encode("utf-8")


def _b64_variants(value: str) -> list[str]:
    raw = base64.b64decode(value)
    return [
        base64.urlsafe_b64encode(raw).decode(),
        value.rstrip("="),
        value + "=",
        value[:-2] + ("B" if value[-2] != "B" else "C") + "=",
        value[:20] + "\n" + value[20:],
        " " + value,
        value.lower(),
    ]


def envelope_inputs(rng: random.Random) -> Iterator[Item]:
    credential = FILE["credential"]
    yield ("envelope-number", as_json({"envelope": 1, "credential": credential}))
    yield ("envelope-null", as_json({"envelope": None, "credential": credential}))
    yield ("envelope-no-credential", as_json({"envelope": FILE["envelope"]}))
    yield ("envelope-credential-list", as_json({**FILE, "credential": [credential]}))
    for name, value in {"list": [], "string": "x", "number": 41, "null": None, "empty": {}}.items():
        yield (f"inclusion-{name}", as_json({**FILE, "inclusion": value}))
    for field in ("leafIndex", "treeSize", "proof", "checkpoint"):
        yield (f"inclusion-without-{field}", _edit(lambda inc, f=field: inc.pop(f)))
    yield ("retired-key-file", as_json(RETIRED))
    yield ("retired-key-bare", as_json(RETIRED["credential"]))


def size_inputs(rng: random.Random) -> Iterator[Item]:
    index, size = FILE["inclusion"]["leafIndex"], FILE["inclusion"]["treeSize"]
    literals = [
        "-0",
        "0",
        f"{index}.0",
        f"{index}e0",
        "4.1e1",
        "1e400",
        "-1",
        "true",
        '"12"',
        str(2**53 - 1),
        str(2**53),
        str(2**53 + 1),
        str(2**63),
        str(2**64),
        str(2**64 + 1),
        "1" + "0" * 30,
        "9" * 400,
        "9" * 5000,
        f"{size}",
        f"{size + 1}",
    ]
    for n, literal in enumerate(literals):
        yield (f"leafIndex-{n}", _literal("leafIndex", literal))
        yield (f"treeSize-{n}", _literal("treeSize", literal))
    for n, text in enumerate(
        [str(2**64 - 1), str(2**64), "0" + str(size), "+30", "30 ", "１２", str(2**53 + 1), "0"]
    ):
        yield (
            f"checkpoint-size-{n}",
            _resigned(BODY.replace(f"\n{size}\n", f"\n{text}\n", 1) + "\n"),
        )


def proof_inputs(rng: random.Random) -> Iterator[Item]:
    proof = FILE["inclusion"]["proof"]
    yield ("proof-empty", _edit(lambda inc: inc.update(proof=[])))
    yield ("proof-short", _edit(lambda inc: inc["proof"].pop()))
    yield ("proof-long", _edit(lambda inc: inc["proof"].append(proof[0])))
    yield ("proof-64", _edit(lambda inc: inc.update(proof=[proof[0]] * 64)))
    yield ("proof-65", _edit(lambda inc: inc.update(proof=[proof[0]] * 65)))
    yield ("proof-reversed", _edit(lambda inc: inc["proof"].reverse()))
    yield ("proof-string", _edit(lambda inc: inc.update(proof=" ".join(proof))))
    yield ("proof-numbers", _edit(lambda inc: inc.update(proof=[1, 2, 3])))
    yield (
        "proof-31-bytes",
        _edit(lambda inc: inc["proof"].__setitem__(0, base64.b64encode(bytes(31)).decode())),
    )
    yield (
        "proof-33-bytes",
        _edit(lambda inc: inc["proof"].__setitem__(0, base64.b64encode(bytes(33)).decode())),
    )
    for n, variant in enumerate(_b64_variants(proof[0])):
        yield (f"proof-base64-{n}", _edit(lambda inc, v=variant: inc["proof"].__setitem__(0, v)))
    for n in range(6):
        i = rng.randrange(len(proof))
        flipped = bytearray(base64.b64decode(proof[i]))
        flipped[rng.randrange(32)] ^= 1 << rng.randrange(8)
        value = base64.b64encode(bytes(flipped)).decode()
        yield (
            f"proof-flip-{n}",
            _edit(lambda inc, i=i, v=value: inc["proof"].__setitem__(i, v)),
        )


def note_inputs(rng: random.Random) -> Iterator[Item]:
    sig_line = SIGNATURES.rstrip("\n")
    name, sig = sig_line[2:].rsplit(" ", 1)
    raw = base64.b64decode(sig)
    stranger = STRANGER.sign(BODY + "\n").split("\n\n")[1]
    cosigned = cosign(NOTE, WITNESS, 1_764_000_000)
    cases: dict[str, Any] = {
        "wrong-origin": LOG.sign(
            BODY.replace("dte-registry.cn/log", "dte-registry.cn/other", 1) + "\n"
        ),
        "wrong-key-id": f"{BODY}\n\n— {name} {base64.b64encode(bytes(4) + raw[4:]).decode()}\n",
        "other-key-same-name": f"{BODY}\n\n{stranger}",
        "stranger-then-log": f"{BODY}\n\n{stranger}{SIGNATURES}",
        "log-then-stranger": NOTE + stranger,
        "cosigned": cosigned,
        "cosigned-bad": cosigned[:-12] + ("A" if cosigned[-12] != "A" else "B") + cosigned[-11:],
        "100-lines": NOTE + stranger * 99,
        "101-lines": NOTE + stranger * 100,
        "repeated-line": NOTE + SIGNATURES,
        "garbage-line": NOTE + "— x\n",
        "plain-line": NOTE + "hello\n",
        "empty-name": f"{BODY}\n\n—  {sig}\n",
        "name-with-plus": f"{BODY}\n\n— a+b {sig}\n",
        "name-nbsp": f"{BODY}\n\n— dte\u00a0log {sig}\n",
        "name-bom": f"{BODY}\n\n— \ufeff{name} {sig}\n",
        "name-x1c": f"{BODY}\n\n— a\x1cb {sig}\n",
        "short-signature": f"{BODY}\n\n— {name} AAAA\n",
        "crlf": NOTE.replace("\n", "\r\n"),
        "no-final-newline": NOTE[:-1],
        "no-blank-line": BODY + "\n" + SIGNATURES,
        "leading-blank": "\n" + NOTE,
        "tab-in-text": _raw_sign(BODY.replace("\n", "\t\n", 1) + "\n"),
        "extension-line": LOG.sign(BODY + "\nextension\n"),
        "empty-extension": LOG.sign(BODY + "\n\nextension\n"),
        "lone-surrogate": NOTE[:5] + "\ud800" + NOTE[5:],
        "two-lines-only": LOG.sign("\n".join(BODY.split("\n")[:2]) + "\n"),
        "number": 7,
        "list": [NOTE],
        "huge": NOTE + "— x " + "A" * 70_000 + "\n",
    }
    for n, variant in enumerate(_b64_variants(sig)):
        cases[f"signature-base64-{n}"] = f"{BODY}\n\n— {name} {variant}\n"
    root = BODY.split("\n")[2]
    for n, variant in enumerate(_b64_variants(root)):
        cases[f"root-base64-{n}"] = LOG.sign(BODY.replace(root, variant.replace("\n", "")) + "\n")
    for key, note in cases.items():
        yield (f"note-{key}", _note(note))


CLASSES: dict[str, Callable[[random.Random], Iterator[Item]]] = {
    "envelope": envelope_inputs,
    "log-size": size_inputs,
    "log-proof": proof_inputs,
    "log-note": note_inputs,
}
