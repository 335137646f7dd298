"""Properties of the transparency-log primitives (credentials/transparency.py): random trees
(every leaf's proof verifies, every tampering fails, every pair of sizes is consistent),
signed notes, checkpoints, cosignatures, and the certificate's log leaf."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import SigningKey
from credentials.transparency import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteSigner,
    TransparencyError,
    certificate_leaf,
    consistency_path,
    cosign,
    cosignature_message,
    inclusion_path,
    leaf_hash,
    parse_checkpoint,
    parse_vkey,
    root_from_leaves,
    verify_consistency,
    verify_cosignature,
    verify_cosignatures,
    verify_inclusion,
    verify_note,
)
from tests.credentials._support import sample_certificate

# Distinct leaves: with repeated ones, a leaf really is at several indexes.
trees = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True).map(
    lambda leaves: [leaf_hash(b) for b in leaves]
)


def _flip(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[(bit // 8) % len(data)] ^= 1 << (bit % 8)
    return bytes(data)


@given(trees, st.data())
def test_every_leaf_proves_and_no_tampering_does(hashes: list[bytes], data: st.DataObject) -> None:
    size, root = len(hashes), root_from_leaves(hashes)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_path(index, hashes)
    verify_inclusion(hashes[index], index, size, proof, root)
    tampered: list[tuple[bytes, int, int, list[bytes], bytes]] = [
        (_flip(hashes[index], data.draw(st.integers(0, 255))), index, size, proof, root),
        (hashes[index], index, size, proof, _flip(root, data.draw(st.integers(0, 255)))),
        (hashes[index], index, size, [*proof, root], root),
        # another size with the same proof shape can verify (the checkpoint binds the size);
        # twice the size never has that shape
        (hashes[index], index, size * 2, proof, root),
    ]
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        changed = [*proof]
        changed[i] = _flip(changed[i], data.draw(st.integers(0, 255)))
        tampered += [(hashes[index], index, size, changed, root)]
        tampered += [(hashes[index], index, size, proof[:-1], root)]
    other = data.draw(st.integers(0, size - 1))
    if other != index:
        tampered += [(hashes[index], other, size, proof, root)]
    for args in tampered:
        with pytest.raises(TransparencyError) as err:
            verify_inclusion(*args)
        assert err.value.code == "INCLUSION_PROOF_INVALID"


@settings(max_examples=60)
@given(trees)
def test_every_leaf_of_a_tree_proves(hashes: list[bytes]) -> None:
    root = root_from_leaves(hashes)
    for index, leaf in enumerate(hashes):
        verify_inclusion(leaf, index, len(hashes), inclusion_path(index, hashes), root)


@settings(max_examples=40)
@given(st.lists(st.binary(max_size=4), min_size=1, max_size=24))
def test_every_pair_of_sizes_is_consistent(leaves: list[bytes]) -> None:
    hashes = [leaf_hash(b) for b in leaves]
    roots = [root_from_leaves(hashes[:n]) for n in range(len(hashes) + 1)]
    for new in range(1, len(hashes) + 1):
        for old in range(1, new + 1):
            proof = consistency_path(old, hashes[:new])
            verify_consistency(old, new, proof, roots[old], roots[new])


@given(st.lists(st.binary(max_size=4), min_size=2, max_size=40), st.data())
def test_tampered_consistency_proofs_fail(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(b) for b in leaves]
    new = len(hashes)
    old = data.draw(st.integers(1, new - 1))
    proof = consistency_path(old, hashes)
    old_root, new_root = root_from_leaves(hashes[:old]), root_from_leaves(hashes)
    bit = data.draw(st.integers(0, 255))
    i = data.draw(st.integers(0, len(proof) - 1))
    changed = [*proof]
    changed[i] = _flip(changed[i], bit)
    tampered = [
        (old, new, changed, old_root, new_root),
        (old, new, proof[:-1], old_root, new_root),
        (old, new, [*proof, new_root], old_root, new_root),
        (old, new, proof, _flip(old_root, bit), new_root),
        (old, new, proof, old_root, _flip(new_root, bit)),
        (new, old, proof, new_root, old_root),
        (0, new, proof, old_root, new_root),
    ]
    for args in tampered:
        with pytest.raises(TransparencyError) as err:
            verify_consistency(*args)
        assert err.value.code == "CONSISTENCY_PROOF_INVALID"


@pytest.mark.parametrize(
    ("index", "size"),
    [(-1, 4), (True, 4), (0, 2**64), (2**64, 2**64 + 1), (10**400, 10**401), (1.0, 4)],
)
def test_sizes_out_of_range_are_refused_before_hashing(index: object, size: object) -> None:
    leaf = leaf_hash(b"")
    with pytest.raises(TransparencyError) as err:
        verify_inclusion(leaf, index, size, [], leaf)  # type: ignore[arg-type]
    assert err.value.code == "INCLUSION_PROOF_INVALID"


def test_proofs_of_the_wrong_shape_are_refused() -> None:
    hashes = [leaf_hash(bytes([i])) for i in range(5)]
    root, proof = root_from_leaves(hashes), inclusion_path(2, hashes)
    for bad in ([*proof[:-1], proof[-1] + b"\x00"], [p[:31] for p in proof], [root] * 66):
        with pytest.raises(TransparencyError) as err:
            verify_inclusion(hashes[2], 2, 5, bad, root)
        assert err.value.code == "INCLUSION_PROOF_INVALID"


# --- notes --------------------------------------------------------------------------------------

LOG = NoteSigner("dte-registry.cn/log", SigningKey.from_seed(b"\x11" * 32))
OTHER = NoteSigner("dte-registry.cn/log", SigningKey.from_seed(b"\x12" * 32))
WITNESS = NoteSigner("witness.example/w1", SigningKey.from_seed(b"\x13" * 32), COSIGNATURE_V1)
CHECKPOINT = Checkpoint("dte-registry.cn/log", 57, hashlib.sha256(b"root").digest())

note_texts = st.lists(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=20),
    min_size=1,
    max_size=5,
).map(lambda lines: "".join(line + "\n" for line in lines))


@given(note_texts)
def test_notes_round_trip_and_a_changed_text_fails(text: str) -> None:
    note = LOG.sign(text)
    assert verify_note(note, [LOG.key]) == (text, [LOG.key])
    assert verify_note(note.encode(), [LOG.key]) == (text, [LOG.key])
    changed = "x" + note
    with pytest.raises(TransparencyError) as err:
        verify_note(changed, [LOG.key])
    assert err.value.code in {"NOTE_SIGNATURE_INVALID", "NOTE_MALFORMED"}


def test_same_name_other_key_is_ignored_not_trusted() -> None:
    note = OTHER.sign(CHECKPOINT.body())
    with pytest.raises(TransparencyError) as err:
        verify_note(note, [LOG.key])
    assert err.value.code == "NOTE_UNTRUSTED"
    # both signatures: the known one verifies, the other is ignored
    both = note + LOG.sign(CHECKPOINT.body()).split("\n\n")[1]
    assert verify_note(both, [LOG.key]) == (CHECKPOINT.body(), [LOG.key])


def test_vkey_round_trip() -> None:
    for key in (LOG.key, WITNESS.key):
        assert parse_vkey(key.vkey) == key
    assert (
        WITNESS.key.key_id
        != NoteSigner(WITNESS.key.name, SigningKey.from_seed(b"\x13" * 32)).key.key_id
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b.replace("+", "-").replace("/", "_"),  # URL-safe alphabet
        lambda b: b.rstrip("="),  # padding dropped
        lambda b: b[:-2] + chr(ord(b[-2]) + 1) + "=",  # non-canonical trailing bits
        lambda b: b[:10] + "\n" + b[10:],  # line break
        lambda b: b + "AAAA",  # trailing data
    ],
)
def test_base64_variants_are_refused(mangle: object) -> None:
    # a checkpoint whose signature has both '+' and '/', so every variant changes it
    for size in range(1000):
        body = Checkpoint(CHECKPOINT.origin, size, CHECKPOINT.root_hash).body()
        note = LOG.sign(body)
        text, line = note.split("\n\n")
        sig = line.rstrip("\n").split(" ")[-1]
        if "+" in sig and "/" in sig:
            break
    bad = text + "\n\n" + line.replace(sig, mangle(sig))  # type: ignore[operator]
    assert bad != note
    with pytest.raises(TransparencyError) as err:
        verify_note(bad, [LOG.key])
    assert err.value.code in {"NOTE_MALFORMED", "NOTE_SIGNATURE_INVALID"}


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300),
        note_texts.map(lambda t: LOG.sign(t)).flatmap(
            lambda n: st.integers(0, len(n) - 1).map(lambda i: n[:i] + n[i + 1 :])
        ),
    )
)
def test_parsers_refuse_any_input_with_a_code(value: str | bytes) -> None:
    """Whatever the input, the note, checkpoint and vkey parsers return or raise a
    `TransparencyError` (never another exception)."""
    for parse in (
        lambda: verify_note(value, [LOG.key]),
        lambda: parse_checkpoint(value, [LOG.key]),
        lambda: verify_cosignatures(value, [WITNESS.key]),
        lambda: parse_vkey(value),  # type: ignore[arg-type]
    ):
        try:
            parse()
        except TransparencyError as exc:
            assert exc.code.isupper()


# --- checkpoints --------------------------------------------------------------------------------


def test_checkpoint_round_trip_with_extensions() -> None:
    cp = Checkpoint(CHECKPOINT.origin, 2**64 - 1, CHECKPOINT.root_hash, ("ext one", "x"))
    assert parse_checkpoint(LOG.sign(cp.body()), [LOG.key]) == cp


@pytest.mark.parametrize(
    "body",
    [
        "dte-registry.cn/log\n57\n",  # no root
        "dte-registry.cn/log\n057\n{root}\n",  # leading zero
        "dte-registry.cn/log\n18446744073709551616\n{root}\n",  # 2**64
        "dte-registry.cn/log\n" + "9" * 5000 + "\n{root}\n",  # huge
        "dte-registry.cn/log\n-1\n{root}\n",
        "dte-registry.cn/log\n+57\n{root}\n",
        "dte-registry.cn/log\n５７\n{root}\n",  # fullwidth digits
        "dte-registry.cn/log\n57\n{short}\n",  # 31-byte root
        "dte-registry.cn/log\n57\n{root}\n\next\n",  # empty line before an extension
        "\n57\n{root}\n",  # empty origin
    ],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    root = base64.b64encode(CHECKPOINT.root_hash).decode()
    short = base64.b64encode(CHECKPOINT.root_hash[:31]).decode()
    note = LOG.sign(body.format(root=root, short=short))
    with pytest.raises(TransparencyError) as err:
        parse_checkpoint(note, [LOG.key])
    assert err.value.code in {"CHECKPOINT_MALFORMED", "NOTE_UNTRUSTED"}


# --- cosignatures -------------------------------------------------------------------------------


def test_cosignature_round_trip_and_spec_message() -> None:
    note = LOG.sign(CHECKPOINT.body())
    cosigned = cosign(note, WITNESS, 1679315147)
    assert parse_checkpoint(cosigned, [LOG.key]) == CHECKPOINT  # the log key ignores it
    found = verify_cosignature(cosigned, WITNESS.key)
    assert (found.key, found.timestamp) == (WITNESS.key, 1679315147)
    # the signature is Ed25519 over the spec's message, checked with the key directly
    raw = base64.b64decode(cosigned.rstrip("\n").split(" ")[-1])
    assert raw[:4] == WITNESS.key.key_id and raw[4:12] == (1679315147).to_bytes(8, "big")
    message = f"cosignature/v1\ntime 1679315147\n{CHECKPOINT.body()}".encode()
    assert cosignature_message(CHECKPOINT.body(), 1679315147) == message
    assert WITNESS.key.public_key.verify(message, raw[12:])


def test_a_bad_cosignature_by_a_listed_witness_refuses_and_others_are_ignored() -> None:
    note = LOG.sign(CHECKPOINT.body())
    cosigned = cosign(note, WITNESS, 100)
    forged = cosigned[:-10] + ("A" if cosigned[-10] != "A" else "B") + cosigned[-9:]
    with pytest.raises(TransparencyError) as err:
        verify_cosignatures(forged, [WITNESS.key])
    assert err.value.code == "COSIGNATURE_INVALID"
    stranger = NoteSigner("witness.example/w2", SigningKey.from_seed(b"\x14" * 32), COSIGNATURE_V1)
    assert verify_cosignatures(cosigned, [stranger.key]) == []
    with pytest.raises(TransparencyError) as err:
        verify_cosignature(note, WITNESS.key)
    assert err.value.code == "COSIGNATURE_MISSING"
    # a cosignature on another checkpoint, moved over, does not verify
    other = cosign(
        LOG.sign(Checkpoint(CHECKPOINT.origin, 58, CHECKPOINT.root_hash).body()), WITNESS, 100
    )
    moved = note + other.split("\n")[-2] + "\n"
    with pytest.raises(TransparencyError) as err:
        verify_cosignatures(moved, [WITNESS.key])
    assert err.value.code == "COSIGNATURE_INVALID"


def test_cosign_needs_a_cosigner_key_and_a_checkpoint() -> None:
    note = LOG.sign(CHECKPOINT.body())
    with pytest.raises(TransparencyError) as err:
        cosign(note, LOG, 1)
    assert err.value.code == "NOTE_SIGNER_TYPE"
    with pytest.raises(TransparencyError) as err:
        cosign(LOG.sign("not a checkpoint\n"), WITNESS, 1)
    assert err.value.code == "CHECKPOINT_MALFORMED"
    with pytest.raises(TransparencyError) as err:
        cosign(note, WITNESS, 2**63)
    assert err.value.code == "COSIGNATURE_TIME_INVALID"


# --- the certificate leaf -----------------------------------------------------------------------


def test_certificate_leaf_is_the_agreed_record() -> None:
    credential = sample_certificate()
    leaf = json.loads(certificate_leaf(credential))
    digest = hashlib.sha256(
        json.dumps(credential, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert leaf == {
        "kind": "certificate.published",
        "number": credential["credentialSubject"]["certificate"]["number"],
        "issuer": credential["issuer"]["id"],
        "verificationMethod": credential["proof"]["verificationMethod"],
        "statusListIndex": credential["credentialStatus"]["statusListIndex"],
        "credentialDigest": "sha256:" + digest,
    }
    assert (
        certificate_leaf(credential)
        == json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


def test_certificate_leaf_changes_with_any_change_of_the_credential() -> None:
    credential = sample_certificate()
    changed = json.loads(json.dumps(credential))
    changed["credentialSubject"]["name"] += "x"
    assert certificate_leaf(changed) != certificate_leaf(credential)


@pytest.mark.parametrize("drop", ["issuer", "proof", "credentialStatus", "credentialSubject"])
def test_certificate_leaf_of_an_incomplete_credential(drop: str) -> None:
    credential = sample_certificate()
    del credential[drop]
    with pytest.raises(TransparencyError) as err:
        certificate_leaf(credential)
    assert err.value.code == "LOG_LEAF_UNAVAILABLE"
