"""People's names: how the registry stores one (`normalise_name`) and when two are the same
name (`name_key`), the one rule every look-up by name compares with.

Two names are the same when their keys are equal. The key is the name after Unicode NFKC
(full-width letters and dots become their ordinary forms), with Unicode case folding of its
upper case (`JOHN`, `John` and `john` alike, and `ı` as `I`), without any whitespace or
invisible formatting character (`JOHN  SMITH` and `John Smith`, `张 三` and `张三` alike), and
with every middle dot that people write between the parts of a name (`·` U+00B7, `•` U+2022,
`・` U+30FB, `‧` U+2027, `･` U+FF65, `.`, `．` and the others in `MIDDLE_DOTS`) made U+00B7, the form of GB/T 28039. Letters are never changed
otherwise: `José` is not `Jose`, `张三` is not `张山`, and a dot is not nothing
(`阿卜杜拉买买提` is not `阿卜杜拉·买买提`).

Names are stored as `normalise_name` gives them and shown as stored; the key is computed when
comparing and is never stored, so changing this rule needs no migration.
"""

from __future__ import annotations

import unicodedata
from typing import Final

MIDDLE_DOT: Final = "\u00b7"
MIDDLE_DOTS: Final = frozenset(
    {
        "\u00b7",  # · middle dot (GB/T 28039)
        "\u0387",  # · Greek ano teleia (NFKC: U+00B7)
        "\u2022",  # • bullet
        "\u2027",  # ‧ hyphenation point (Big5 input methods)
        "\u2219",  # ∙ bullet operator
        "\u22c5",  # ⋅ dot operator
        "\u30fb",  # ・ katakana middle dot (Japanese input methods)
        "\uff65",  # ･ half-width katakana middle dot (NFKC: U+30FB)
        "\ua78f",  # ꞏ Latin letter sinological dot
        "\u2e31",  # ⸱ word separator middle dot
        ".",  # full stop
        "\uff0e",  # ． full-width full stop (NFKC: ".")
    }
)
_TO_MIDDLE_DOT: Final = str.maketrans(dict.fromkeys(MIDDLE_DOTS, MIDDLE_DOT))


def normalise_name(name: str) -> str:
    """NFKC, inner whitespace collapsed: how a name is stored (and shown)."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def _fold(text: str) -> str:
    # Upper case before folding: a letter whose case does not go both ways (Turkish `ı` upper is
    # `I`, whose fold is `i`) keys as its capital does, so any case of a name gives one key.
    upper = unicodedata.normalize("NFKC", text).upper()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", upper).casefold())
    kept = (c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")
    return "".join(kept).translate(_TO_MIDDLE_DOT)


def name_key(name: str) -> str:
    """What two names are compared by (see the module's docstring); idempotent, "" for a name of
    nothing but spaces."""
    text = name or ""
    # Folding again can change a folded text (NFKC makes `¨` a space and a combining mark;
    # dropping a format character can join a letter to its accent): fold until nothing changes,
    # so that a key of a key is the key.
    for _ in range(8):
        folded = _fold(text)
        if folded == text:
            break
        text = folded
    return text
