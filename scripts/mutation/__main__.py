"""Mutation testing of `credentials/` and `registry/intake/identifiers.py`, one module at a time.

    .venv/bin/python -m scripts.mutation status_list            # run (resumes), then report
    .venv/bin/python -m scripts.mutation status_list --report   # report the last run only
    .venv/bin/python -m scripts.mutation --list                 # the modules and their tests

Each module's mutants (mutmut 3, `pip install mutmut`; not a project dependency, not in CI)
run against that module's own fast tests only, in a copy of the tree under
var/mutation/<module>/ (mutmut writes its `mutants/` folder there, never into the
repository). A run is bounded (`--timeout`, default 900 s of wall time); mutmut keeps what it
found, so running again continues where the last run stopped. CPU-heavy: run one module at a
time, never several in parallel.

The report counts a surviving mutant as *message text only* when the one thing it changes is a
string literal with a space in it (a human message: "XX…XX", upper or lower case, None) and as
*equivalent* when it is listed in `EQUIVALENT` below with the reason; the score is killed ÷
(all − message text − equivalent). docs/testing.md has the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "mutation"
MUTMUT = Path(sys.executable).with_name("mutmut")

# module -> (source file, its own fast tests)
MODULES: dict[str, tuple[str, list[str]]] = {
    "idnumber": ("credentials/idnumber.py", ["tests/credentials/test_idnumber.py"]),
    "status_list": ("credentials/status_list.py", ["tests/credentials/test_status_list.py"]),
    "jcs": (
        "credentials/_jcs.py",
        ["tests/credentials/test_jcs.py", "tests/credentials/test_jcs_fast.py"],
    ),
    "proof": (
        "credentials/_proof.py",
        [
            "tests/credentials/test_proof.py",
            "tests/credentials/test_proof_vectors.py",
            "tests/credentials/test_proof_mutants.py",
        ],
    ),
    "binding": (
        "credentials/binding.py",
        ["tests/credentials/test_binding.py", "tests/credentials/test_binding_mutants.py"],
    ),
    "bundle": (
        "credentials/bundle.py",
        ["tests/credentials/test_bundle.py", "tests/credentials/test_bundle_mutants.py"],
    ),
    "verifier": (
        "credentials/checks.py",
        ["tests/credentials/test_verifier_checks.py", "tests/credentials/test_verifier.py"],
    ),
    # Its own fast tests: test_verifier_batch.py (the reports through the memos) takes minutes
    # a run, and its Hypothesis deadlines fail under load, which would count as kills.
    "memo": ("credentials/_memo.py", ["tests/credentials/test_memo.py"]),
    "uscc": ("credentials/uscc.py", ["tests/credentials/test_uscc.py"]),
    "identifiers": (
        "registry/intake/identifiers.py",
        ["tests/registry/intake/test_identifiers.py"],
    ),
}

# Surviving mutants that cannot be told apart from the original by any test, each with the
# reason; keyed by mutmut's mutant name.
EQUIVALENT: dict[str, str] = {
    "credentials.status_list.xǁStatusListǁencode__mutmut_6": "compresslevel=9 is gzip's default",
    "credentials.status_list.xǁStatusListǁencode__mutmut_20": '"ASCII" and "ascii" are one codec',
    "credentials.status_list.xǁStatusListǁencode__mutmut_18": (
        'rstrip(b"XX=XX"): an encoding always ends in "A" (the gzip trailer ends with the '
        "list's byte count, below 2**24, little endian: a zero byte), never in X"
    ),
    "credentials.status_list.xǁStatusListǁdecode__mutmut_58": (
        "padding with len % 4 instead of -len % 4 '=': the decoder (not strict) ignores excess "
        "padding, and len % 4 == 1 is refused before"
    ),
    **{
        f"credentials.status_list.xǁStatusListǁdecode__mutmut_{n}": (
            "the 'not valid base64url' branch cannot be reached: the strict alphabet and the "
            "length check before it leave nothing the decoder refuses"
        )
        for n in range(59, 69)
    },
    "credentials.status_list.xǁStatusListǁdecode__mutmut_82": (
        "inflating limit + 2 bytes instead of limit + 1: anything past the limit is refused alike"
    ),
    "credentials.status_list.xǁStatusListǁdecode__mutmut_117": (
        "len(data) * 9 < MIN_ENTRIES: a shorter list is then refused by from_bytes with the same "
        "code (STATUS_LIST_LENGTH_ERROR)"
    ),
    "credentials.status_list.x__timestamp__mutmut_17": (
        "astimezone(None) is local time, UTC on the machines the tests run on (TZ unset)"
    ),
    "credentials.status_list.x_status_list_credential__mutmut_26": (
        "keeping the caller's issuer object instead of dict(issuer): the signed credential is "
        "a plain copy of the whole document (sign copies it), so the result is the same"
    ),
    "credentials.idnumber.x_mod11_2_check__mutmut_22": '"ASCII" and "ascii" are one codec',
    "credentials.idnumber.x_normalise_id_number__mutmut_50": (
        'membership of one character in "XX0123456789XXX": the same set as "0123456789X"'
    ),
    "credentials.checks.x__key_window__mutmut_72": (
        "`owner.name if owner or True`: a bundle key is listed under its institution, so the "
        "issuer that owns the key is always in the bundle and `owner` is never None"
    ),
    **{
        name: "looking up a None verificationMethod: `key(None)` finds nothing, as the guard would"
        for name in (
            "credentials.checks.x__resolve_key__mutmut_8",
            "credentials.checks.x__issuer_key__mutmut_6",
        )
    },
    **{
        f"credentials.checks.x_check_proof__mutmut_{n}": (
            "when the proof key is remembered, or whether _proof.verify may skip its own walk "
            "(plain=None is False): the same key and the same result, only the speed differs"
        )
        for n in (24, 25, 90, 93)
    },
    "credentials.checks.x__issuer_listed__mutmut_5": (
        "looking up a None issuer: `institution(None)` finds nothing, as the guard would"
    ),
    "credentials.checks.x__status_entry__mutmut_10": (
        "a missing credentialStatus as `[None]` instead of `[]`: None is no revocation entry "
        "either, so NO_STATUS_ENTRY alike"
    ),
    "credentials.status_list.xǁStatusListǁallocate_random_free_index__mutmut_2": (
        "65 random draws instead of 64 before the exhaustive pick: the same distribution"
    ),
    "credentials._jcs.x__plain_count__mutmut_22": (
        "_plain_item(value, None) for a leaf: the depth is only read for dicts and lists"
    ),
    "credentials._jcs.x__plain_count__mutmut_29": (
        "-2 instead of -1 at the depth limit: only a nested call reaches it (depth starts at 0), "
        "and its caller turns any negative answer into -1"
    ),
    "credentials._jcs.x__plain_count__mutmut_55": (
        "a nested walk given budget + count instead of budget - count: its caller still refuses "
        "a count past its own budget, so the answer is the same (at most about twice the work)"
    ),
    "credentials._jcs.x__plain_count__mutmut_56": "inner <= 0: a nested count is never 0",
    "credentials._jcs.x__plain_count__mutmut_57": "inner < 1: a nested count is never 0",
    **{
        f"credentials._jcs.x__plain_count__mutmut_{n}": (
            "the `count > budget` check after a nested walk cannot be true: that walk returns a "
            "count only within budget - count"
        )
        for n in (63, 64)
    },
    **{
        f"credentials._proof.x_sign__mutmut_{n}": (
            "sign's own test for a proof changed: canonical_document then refuses the document "
            "with the same code, PROOF_PRESENT"
        )
        for n in (19, 20)
    },
    **{
        name: (
            "type(None) is dict instead of type(value) is dict: a shortcut before the "
            "isinstance(value, Mapping) test, which a dict passes too"
        )
        for name in (
            "credentials._proof.x_proof_of__mutmut_3",
            "credentials._proof.x_proof_of__mutmut_12",
            "credentials._proof.x__single_proof__mutmut_3",
            "credentials._proof.x__single_proof__mutmut_32",
        )
    },
    **{
        f"credentials._proof.x__signature__mutmut_{n}": (
            "which of is_xsd_datetime(proof['created']) and its remembered copy "
            "_xsd_datetime_str(created) checks the proof's created: created is that value when "
            "it is a string and None otherwise, and both answer alike (False for None)"
        )
        for n in (33, 34, 36, 37)
    },
    **{
        f"credentials._proof.x__signed_data__mutmut_{n}": (
            "canonicalize without plain=True: the parts of a plain document are plain, so the "
            "walk finds them so and the bytes are the same; only the speed differs"
        )
        for n in (31, 33, 34, 37, 39, 40)
    },
    "credentials._proof.x__context_starts_with__mutmut_14": (
        "the all-ASCII-strings shortcut never taken: comparing canonical forms gives the same "
        "answer for such strings"
    ),
    **{
        f"credentials._proof.x__context_starts_with__mutmut_{n}": (
            "zip(..., strict=None) or without strict: the same as strict=False"
        )
        for n in (23, 26)
    },
    "credentials._proof.x__verify__mutmut_26": (
        "_signature given created=None: it reads proof['created'] itself when created is not a "
        "string, with the same answer"
    ),
    "credentials._proof.x__verify__mutmut_45": (
        "plain=None: the walking path, same result as the plain one; only the speed differs"
    ),
    "credentials._proof.x_verify__mutmut_8": (
        "plain=None: the walking path, same result as the plain one (test_proof.py's "
        "test_plain_verification_gives_the_same_result); only the speed differs"
    ),
    "credentials._proof.x__fail__mutmut_3": (
        "message text only: the failed check's message set to None (its code is asserted)"
    ),
    **{
        f"credentials.bundle.xǁFileBundleStoreǁ_read__mutmut_{n}": (
            "reading the store as UTF-8, in the locale's encoding or in upper-case UTF-8: the file "
            "is ASCII (json.dump escapes the rest), read alike by all of them"
        )
        for n in (2, 4)
    },
    "credentials.bundle.xǁFileBundleStoreǁ_read__mutmut_13": (
        'a file that is not JSON read as "" instead of None: not a dict either, so BUNDLE_STORE alike'
    ),
    "credentials.bundle.xǁFileBundleStoreǁrecord_sequence__mutmut_7": (
        "-2 instead of -1 for a root key never seen: sequences are never negative (the schema's "
        "minimum is 0, and the store records a loaded bundle's sequence)"
    ),
    **{
        f"credentials.bundle.xǁFileBundleStoreǁrecord_sequence__mutmut_{n}": (
            "the temporary file's name prefix: only its name changes, it is renamed or removed"
        )
        for n in (17, 19)
    },
    **{
        f"credentials.bundle.xǁFileBundleStoreǁrecord_sequence__mutmut_{n}": (
            "the encoding the file is written in: json.dump writes ASCII only (ensure_ascii)"
        )
        for n in (23, 26, 30)
    },
    **{
        f"credentials.bundle.xǁFileBundleStoreǁrecord_sequence__mutmut_{n}": (
            "unlink(missing_ok=False or None) after a failed write: mkstemp made the file, so it "
            "is there to remove"
        )
        for n in (46, 48)
    },
    **{
        f"credentials.bundle.xǁTrustBundleǁstatus_list_credential__mutmut_{n}": (
            "the default or the object checks of a loaded bundle's statusLists: its schema requires "
            "statusLists, an object whose values are objects, so neither can differ"
        )
        for n in (3, 5, 11, 14)
    },
    **{
        name: (
            "type(None) is dict instead of type(value) is dict: a shortcut before the "
            "isinstance(value, Mapping) test, which a dict passes too"
        )
        for name in ("credentials._memo.x_get__mutmut_3", "credentials._memo.x_issuer_id__mutmut_6")
    },
    **{
        name: (
            'the issuer_key slot\'s name ("XXissuer_keyXX", "ISSUER_KEY"): it only has to differ '
            "from the memo names remember() is given, which any of these spellings does"
        )
        for name in (
            "credentials._memo.xǁMemosǁissuer_key__mutmut_2",
            "credentials._memo.xǁMemosǁissuer_key__mutmut_3",
        )
    },
    **{
        name: '"ASCII" and "ascii" are one codec'
        for name in (
            "credentials.binding.x__derive__mutmut_14",
            "credentials.binding.x__b64url_encode__mutmut_7",
        )
    },
    "credentials.binding.x__b64url_decode__mutmut_1": (
        "the alphabet check skipped for strings up to 200 characters: the round trip at the end "
        "(_b64url_encode(data) == value) refuses them alike, as the encoder writes only the "
        "alphabet, and a non-ASCII string makes the decoder raise ValueError (None alike)"
    ),
    **{
        f"credentials.binding.x__b64url_decode__mutmut_{n}": (
            "the 200-character cap made >= 200 or > 201: any string that long decodes to at "
            "least 150 bytes (or fails), longer than any salt or digest, so MALFORMED alike"
        )
        for n in (4, 5)
    },
    "credentials.binding.x__b64url_decode__mutmut_14": (
        "padding with len % 4 instead of -len % 4 '=': the decoder (not strict) ignores excess "
        "padding, and len % 4 == 1 fails either way"
    ),
    **{
        name: (
            "whether the remembered (lru_cache) or the plain function parses or formats the "
            "value: the same answer, only the speed differs"
        )
        for name in (
            "credentials.bundle.x_parse_timestamp__mutmut_1",
            "credentials.bundle.x_format_timestamp__mutmut_1",
            "credentials.bundle.x_format_timestamp__mutmut_2",
        )
    },
    "credentials.bundle.xǁInstitutionǁnumbers__mutmut_7": (
        "number[:2].isascii() instead of number[:1]: a non-ASCII second character is inside "
        "number[1:7], which then differs from the six ASCII digits of the prefix anyway"
    ),
    "credentials.bundle.x__parse_institutions__mutmut_22": (
        "str(exc) instead of exc.message for a KeyFormatError: a CredentialError's str is its "
        "message"
    ),
    "credentials._jcs.x__large_integer__mutmut_11": '"ASCII" and "ascii" are one codec',
    "credentials._jcs.x_canonicalize__mutmut_2": (
        "`plain and is_plain_json(value)`: plain values then take the rfc8785 path, whose bytes "
        "are the fast path's (the property tests of tests/credentials/test_jcs_fast.py): only "
        "the speed differs"
    ),
    **{
        f"credentials._jcs.x_canonicalize__mutmut_{n}": (
            "the error after rfc8785.dumps cannot be reached: the plain copy holds only values "
            "rfc8785 writes (finite floats, I-JSON integers, valid strings, string keys)"
        )
        for n in (11, 13, 14, 15, 16)
    },
    "credentials._jcs.x__plain_walk__mutmut_35": (
        "_plain_item(value, None) for a leaf: the depth is only read for dicts and lists"
    ),
    "credentials._jcs.x__utf8_ok__mutmut_3": '"UTF-8" and "utf-8" are one codec',
    "credentials._jcs.x__check_string__mutmut_3": '"UTF-8" and "utf-8" are one codec',
}


def _config(module: str) -> str:
    source, tests = MODULES[module]
    return (
        "[tool.mutmut]\n"
        f'source_paths = ["{source.split("/")[0]}"]\n'
        f'only_mutate = ["{source}"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\nasyncio_mode = "auto"\n'
    )


def _prepare(module: str) -> Path:
    """A copy of what the module's tests need, refreshed from the tree (mutmut resumes)."""
    work = WORK / module
    source, tests = MODULES[module]
    package = source.split("/")[0]
    work.mkdir(parents=True, exist_ok=True)
    for name in {package, "credentials"}:
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(work / "tests", ignore_errors=True)
    (work / "tests").mkdir()
    (work / "tests" / "__init__.py").write_text("")
    shutil.copytree(
        ROOT / "tests" / "credentials",
        work / "tests" / "credentials",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # The W3C test vectors the proof tests read (tests/credentials/_support.py's VECTORS).
    shutil.copytree(ROOT / "tests" / "vectors", work / "tests" / "vectors")
    for test in tests:
        # A test in a sub-package (tests/registry/intake/…) needs its folders and their
        # __init__.py files too.
        for folder in reversed(Path(test).parents[:-2]):
            (work / folder).mkdir(exist_ok=True)
            if (ROOT / folder / "__init__.py").exists():
                shutil.copy(ROOT / folder / "__init__.py", work / folder / "__init__.py")
        if not (work / test).exists():
            shutil.copy(ROOT / test, work / test)
    (work / "pyproject.toml").write_text(_config(module))
    return work


def _mutmut(work: Path, *args: str, timeout: float | None = None) -> str:
    done = subprocess.run(
        [str(MUTMUT), *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.stdout


# `mutmut show` for many mutants in one process (one `mutmut show` each took minutes in all
# on a busy machine): {mutant name: its diff}.
_DIFFS = (
    "import json, sys\n"
    "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
    "print(json.dumps({name: get_diff_for_mutant(name) for name in json.load(sys.stdin)}))\n"
)


def _diffs(work: Path, names: list[str]) -> dict[str, str]:
    """Each named mutant's diff, as `mutmut show` prints it."""
    done = subprocess.run(
        [sys.executable, "-c", _DIFFS],
        cwd=work,
        input=json.dumps(names),
        capture_output=True,
        text=True,
        check=True,
    )
    diffs: dict[str, str] = json.loads(done.stdout)
    return diffs


def _tokens(text: str) -> list[tuple[int, str]]:
    """The tokens of `text`, adjacent string literals joined into one (as Python joins them)."""
    out: list[tuple[int, str]] = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(text).readline):
            if t.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                continue
            if t.type == tokenize.STRING and out and out[-1][0] == tokenize.STRING:
                out[-1] = (tokenize.STRING, out[-1][1] + " " + t.string)
            else:
                out.append((t.type, t.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return out


def _message_only(diff: str) -> bool:
    """The mutant changes nothing but human text: a string literal with a space in it."""
    removed = "\n".join(
        line[1:]
        for line in diff.splitlines()
        if line.startswith("-") and not line.startswith("---")
    )
    added = "\n".join(
        line[1:]
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    )
    before, after = _tokens(removed.strip()), _tokens(added.strip())
    if not before or len(before) != len(after):
        return False
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    return bool(changed) and all(
        a[0] == tokenize.STRING and " " in a[1] and (b[0] == tokenize.STRING or b[1] == "None")
        for a, b in changed
    )


def report(module: str) -> dict[str, object]:
    work = WORK / module
    lines = _mutmut(work, "results", "--all", "true").splitlines()
    status: dict[str, str] = {}
    for line in lines:
        match = re.match(r"\s*(\S+): (\w[\w ]*)$", line)
        if match:
            status[match.group(1)] = match.group(2)
    survived = [name for name, s in status.items() if s == "survived"]
    diffs = _diffs(work, [name for name in survived if name not in EQUIVALENT])
    message, equivalent, real = [], [], []
    for name in survived:
        if name in EQUIVALENT:
            equivalent.append(name)
        elif _message_only(diffs[name]):
            message.append(name)
        else:
            real.append(name)
    killed = sum(1 for s in status.values() if s in ("killed", "timeout"))
    counted = len(status) - len(message) - len(equivalent)
    result = {
        "module": module,
        "mutants": len(status),
        "killed": killed,
        "survived": len(survived),
        "not_run": sum(1 for s in status.values() if s not in ("killed", "timeout", "survived")),
        "message_text_only": len(message),
        "equivalent": len(equivalent),
        "score": round(100 * killed / counted, 1) if counted else None,
        "survivors": real,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", choices=sorted(MODULES))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the run")
    parser.add_argument("--report", action="store_true", help="report the last run only")
    parser.add_argument("--list", action="store_true", help="the modules and their tests")
    args = parser.parse_args()
    if args.list or args.module is None:
        for name, (source, tests) in MODULES.items():
            print(f"{name:12} {source:30} {' '.join(tests)}")
        return 0
    if not MUTMUT.exists():
        print("mutmut is not installed: .venv/bin/pip install mutmut", file=sys.stderr)
        return 2
    if not args.report:
        work = _prepare(args.module)
        try:
            _mutmut(work, "run", timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"stopped after {args.timeout:.0f} s; run again to continue", file=sys.stderr)
    result = report(args.module)
    survivors = result.pop("survivors")
    print(json.dumps(result))
    for name in survivors:  # type: ignore[attr-defined]
        print(f"  survived: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
