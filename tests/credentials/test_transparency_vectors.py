"""Published test vectors for the transparency-log primitives (tests/vectors/*/SOURCE.md):
RFC 6962 hashing and the transparency-dev inclusion/consistency probes, the C2SP signed-note,
tlog-checkpoint and tlog-cosignature examples, and golang.org/x/mod's sumdb/note cases."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from credentials import SigningKey
from credentials.transparency import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteSigner,
    TransparencyError,
    consistency_path,
    cosignature_message,
    inclusion_path,
    leaf_hash,
    node_hash,
    parse_checkpoint,
    parse_vkey,
    root_from_leaves,
    verify_consistency,
    verify_cosignatures,
    verify_inclusion,
    verify_note,
)

VECTORS = Path(__file__).parents[1] / "vectors"
MERKLE = VECTORS / "rfc6962-merkle"
C2SP = VECTORS / "c2sp"

# The RFC 6962 reference tree (transparency-dev/merkle testonly/constants.go).
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
LEAF_HASHES = [leaf_hash(d) for d in LEAF_INPUTS]


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def test_rfc6962_hashes() -> None:
    # transparency-dev/merkle rfc6962/rfc6962_test.go
    assert leaf_hash(b"").hex() == ROOTS[1].hex()
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )
    assert root_from_leaves([]) == hashlib.sha256(b"").digest() == ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_reference_roots(size: int) -> None:
    assert root_from_leaves(LEAF_HASHES[:size]) == ROOTS[size]


def _probes(kind: str) -> list[tuple[str, dict[str, object]]]:
    files = sorted((MERKLE / kind).rglob("*.json"))
    assert len(files) > 50
    return [(str(f.relative_to(MERKLE)), json.loads(f.read_text())) for f in files]


@pytest.mark.parametrize(("name", "probe"), _probes("inclusion"), ids=lambda v: str(v)[:60])
def test_inclusion_probes(name: str, probe: dict[str, object]) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
    args = (
        _b64(probe["leafHash"]),  # type: ignore[arg-type]
        probe["leafIdx"],
        probe["treeSize"],
        proof,
        _b64(probe["root"]),  # type: ignore[arg-type]
    )
    if probe["wantErr"]:
        with pytest.raises(TransparencyError) as err:
            verify_inclusion(*args)  # type: ignore[arg-type]
        assert err.value.code == "INCLUSION_PROOF_INVALID"
    else:
        verify_inclusion(*args)  # type: ignore[arg-type]


# Where we are stricter than the probes: they use 12-byte placeholder roots ("don't care 2")
# where the outcome does not depend on them; every hash we accept is 32 bytes.
STRICTER = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


@pytest.mark.parametrize(("name", "probe"), _probes("consistency"), ids=lambda v: str(v)[:60])
def test_consistency_probes(name: str, probe: dict[str, object]) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
    args = (
        probe["size1"],
        probe["size2"],
        proof,
        _b64(probe["root1"]),  # type: ignore[arg-type]
        _b64(probe["root2"]),  # type: ignore[arg-type]
    )
    if probe["wantErr"] or name in STRICTER:
        with pytest.raises(TransparencyError) as err:
            verify_consistency(*args)  # type: ignore[arg-type]
        assert err.value.code == "CONSISTENCY_PROOF_INVALID"
    else:
        verify_consistency(*args)  # type: ignore[arg-type]


def test_reference_paths_reproduce_the_happy_probes() -> None:
    """Our PATH and PROOF give exactly the proofs of every happy-path probe over the
    reference tree (the probes whose root is one of ROOTS)."""
    checked = 0
    for _name, probe in _probes("inclusion"):
        root = _b64(probe["root"])  # type: ignore[arg-type]
        size = probe["treeSize"]
        if probe["wantErr"] or size > 8 or ROOTS[size] != root:  # type: ignore[index,operator]
            continue
        index = probe["leafIdx"]
        want = [_b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
        assert inclusion_path(index, LEAF_HASHES[:size]) == want  # type: ignore[arg-type,index]
        checked += 1
    for _name, probe in _probes("consistency"):
        size1, size2 = probe["size1"], probe["size2"]
        if probe["wantErr"] or size2 > 8:  # type: ignore[operator]
            continue
        if ROOTS[size2] != _b64(probe["root2"]):  # type: ignore[index,arg-type]
            continue
        want = [_b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
        assert consistency_path(size1, LEAF_HASHES[:size2]) == want  # type: ignore[arg-type,index]
        checked += 1
    assert checked >= 8


# --- signed notes -------------------------------------------------------------------------------

NOTES = json.loads((C2SP / "signed-note.json").read_text())


def test_c2sp_signed_note_example() -> None:
    example = NOTES["c2sp_example"]
    key = parse_vkey(example["vkey"])
    assert key.vkey == example["vkey"]
    text, signers = verify_note(example["note"], [key])
    assert text == example["text"]
    assert signers == [key]


def _go_signer() -> NoteSigner:
    # A Go private key is PRIVATE+KEY+name+hash+base64(0x01 ‖ seed).
    raw = _b64(NOTES["go_sumdb_note"]["peter_skey"].split("+", 4)[-1])
    assert raw[0] == 1
    return NoteSigner("PeterNeumann", SigningKey.from_seed(raw[1:]))


def test_go_sign_gives_the_published_note() -> None:
    go = NOTES["go_sumdb_note"]
    signer = _go_signer()
    assert signer.key.vkey == go["peter_vkey"]
    assert signer.sign(go["text"]) == go["signed"]


def test_go_open_one_known_one_unknown_both_known_none_known() -> None:
    go = NOTES["go_sumdb_note"]
    peter, enoch = parse_vkey(go["peter_vkey"]), parse_vkey(go["enoch_vkey"])
    note = go["text"] + "\n" + go["peter_sig"] + go["enoch_sig"]
    assert verify_note(note, [peter]) == (go["text"], [peter])
    assert verify_note(note, [peter, enoch]) == (go["text"], [peter, enoch])
    with pytest.raises(TransparencyError) as err:
        verify_note(note, [])
    assert err.value.code == "NOTE_UNTRUSTED"
    # repeated signatures, and an unknown key's mangled one, are no reason to refuse
    repeated = go["text"] + "\n" + go["peter_sig"] * 2 + go["enoch_sig"] * 2
    assert verify_note(repeated, [peter]) == (go["text"], [peter])


def test_go_invalid_signature_refuses_the_note() -> None:
    go = NOTES["go_sumdb_note"]
    with pytest.raises(TransparencyError) as err:
        verify_note(go["invalid_signature"], [parse_vkey(go["peter_vkey"])])
    assert err.value.code == "NOTE_SIGNATURE_INVALID"


@pytest.mark.parametrize("index", range(8))
def test_go_malformed_notes(index: int) -> None:
    go = NOTES["go_sumdb_note"]
    notes = [*go["malformed_notes"], *(bytes.fromhex(h) for h in go["malformed_note_bytes_hex"])]
    with pytest.raises(TransparencyError) as err:
        verify_note(notes[index], [parse_vkey(go["peter_vkey"])])
    assert err.value.code == "NOTE_MALFORMED"


def test_go_vkey_manglings_are_refused() -> None:
    go = NOTES["go_sumdb_note"]
    vkey = go["peter_vkey"]
    bad = [vkey[i:j] for i in range(len(vkey) + 1) for j in range(i + 1, len(vkey) + 1)]
    bad = [b for b in bad if b != vkey]
    bad += [vkey[:i] + chr(ord(vkey[i]) + 1) + vkey[i + 1 :] for i in range(len(vkey))]
    bad += go["bad_vkeys"]
    for text in bad:
        with pytest.raises(TransparencyError):
            parse_vkey(text)


# --- checkpoints and cosignatures ---------------------------------------------------------------


def test_c2sp_checkpoint_example_parses_and_its_unknown_key_is_ignored() -> None:
    example = json.loads((C2SP / "tlog-checkpoint.json").read_text())
    signer = NoteSigner(example["origin"], SigningKey.from_seed(bytes(32)))
    with pytest.raises(TransparencyError) as err:
        parse_checkpoint(example["note"], [signer.key])
    assert err.value.code == "NOTE_UNTRUSTED"
    text = example["note"].split("\n\n")[0] + "\n"
    ours = parse_checkpoint(signer.sign(text), [signer.key])
    assert ours == Checkpoint(example["origin"], example["size"], _b64(example["root"]))
    assert ours.body() == text


def test_c2sp_cosignature_example() -> None:
    example = json.loads((C2SP / "tlog-cosignature.json").read_text())
    body = example["note"].split("\n\n")[0] + "\n"
    assert cosignature_message(body, example["timestamp"]) == example["message"].encode()
    line = example["note"].rstrip("\n").split("\n")[-1]
    raw = _b64(line.split(" ")[-1])
    assert int.from_bytes(raw[4:12], "big") == example["timestamp"]
    assert len(raw) == 4 + 8 + 64
    # a witness of that name but another key: the line is not its (key id differs), ignored
    other = NoteSigner(example["witness"], SigningKey.from_seed(bytes(32)), COSIGNATURE_V1)
    assert verify_cosignatures(example["note"], [other.key]) == []
