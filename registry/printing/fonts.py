"""The Chinese font every printed document embeds, so that it prints the same everywhere.

Noto Serif SC (SIL Open Font License 1.1), from the PyPI package `pylopdf-fonts-zh-cn` 0.1.1,
which both `./scripts/run` and `./scripts/test` install without root from `scripts/pdf-font.txt`
(pinned by version and by the wheel's SHA-256, `pip --require-hashes`). The font file itself is
checked here against its SHA-256 before first use, so a different or damaged file is never
embedded silently.

Where that package is missing, Debian's `fonts-noto-cjk` (Noto Serif CJK, the Simplified
Chinese face of its collection) is used when installed; it is a fallback that is detected, never
required. Without either, printing fails with `PDF_FONT_MISSING` naming the command that fixes it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fontTools.ttLib import TTCollection

from registry.errors import ConfigurationError

PACKAGE: Final = "pylopdf_fonts_zh_cn"
FILE: Final = "NotoSerifSC-Regular.otf"
SHA256: Final = "e8f396decc1f0963a016a989c3d8852e863d1350996f573860a80767c83a1cd3"
PINNED_AS: Final = "pylopdf-fonts-zh-cn 0.1.1 (Noto Serif SC)"
DEBIAN: Final = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


class FontMissing(ConfigurationError):
    code = "PDF_FONT_MISSING"


@dataclass(frozen=True)
class CjkFont:
    """A font file to embed: `index` is the face within a collection (`.ttc`), `source` says
    where it came from (for logs and `registry certificate pdf`)."""

    path: Path
    index: int
    source: str


def packaged_file() -> Path | None:
    """Where the pinned package's font file is, if the package is installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / FILE


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def simplified_chinese_face(path: Path) -> int | None:
    """The index of the Simplified Chinese face (`… SC`) in a font collection, if it has one."""
    try:
        collection = TTCollection(str(path), lazy=True)
    except (OSError, ValueError, AssertionError):
        return None
    for index, face in enumerate(collection.fonts):
        family = face["name"].getDebugName(1) or ""
        if family.endswith(" SC"):
            return index
    return None


def locate(packaged: Path | None, fallbacks: Sequence[Path] = DEBIAN) -> CjkFont:
    """The pinned font when `packaged` exists with its digest, else the first installed fallback
    collection with a Simplified Chinese face; `FontMissing` otherwise."""
    if packaged is not None and packaged.is_file():
        if _sha256(packaged) == SHA256:
            return CjkFont(packaged, 0, PINNED_AS)
        tampered = f"{packaged} does not have the pinned SHA-256; "
    else:
        tampered = ""
    for path in fallbacks:
        if path.is_file() and (index := simplified_chinese_face(path)) is not None:
            return CjkFont(path, index, f"Debian fonts-noto-cjk ({path.name})")
    raise FontMissing(
        f"{tampered}no Chinese font to embed in the PDF: install it with "
        f"`pip install --require-hashes --no-deps -r scripts/pdf-font.txt` "
        "(./scripts/run and ./scripts/test do), or Debian's fonts-noto-cjk"
    )


@functools.cache
def cjk_font() -> CjkFont:
    """The font printed documents embed, found once per process (`locate`)."""
    return locate(packaged_file())
