"""The Chinese font printed documents embed: the pinned file when its SHA-256 matches, Debian's
Noto CJK collection (its Simplified Chinese face) as a detected fallback, and a clear
`PDF_FONT_MISSING` otherwise, never a silent substitute."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection

from registry.printing import fonts


def _face(family: str) -> FontBuilder:
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef"])
    builder.setupCharacterMap({})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    return builder


def collection(path: Path, *families: str) -> Path:
    made = TTCollection()
    made.fonts = [_face(family).font for family in families]
    made.save(str(path))
    return path


def test_the_pinned_font_is_installed_and_matches_its_digest() -> None:
    found = fonts.locate(fonts.packaged_file(), fallbacks=())
    assert found.source == fonts.PINNED_AS
    assert found.path.name == fonts.FILE and found.index == 0


def test_a_changed_font_file_is_never_embedded(tmp_path: Path) -> None:
    packaged = fonts.packaged_file()
    assert packaged is not None
    changed = tmp_path / fonts.FILE
    shutil.copyfile(packaged, changed)
    with changed.open("r+b") as f:
        f.seek(5000)
        f.write(b"\x00\x01")
    with pytest.raises(fonts.FontMissing) as caught:
        fonts.locate(changed, fallbacks=())
    assert caught.value.code == "PDF_FONT_MISSING"
    assert "pinned SHA-256" in caught.value.message


def test_debians_collection_is_a_detected_fallback(tmp_path: Path) -> None:
    ttc = collection(
        tmp_path / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK JP", "Noto Serif CJK SC"
    )
    found = fonts.locate(None, fallbacks=(tmp_path / "absent.ttc", ttc))
    assert (found.path, found.index) == (ttc, 1)
    assert "fonts-noto-cjk" in found.source


def test_without_a_chinese_face_printing_says_what_to_install(tmp_path: Path) -> None:
    latin = collection(tmp_path / "other.ttc", "Some Sans", "Some Serif")
    with pytest.raises(fonts.FontMissing) as caught:
        fonts.locate(tmp_path / "missing.otf", fallbacks=(latin, tmp_path / "nothing.ttc"))
    assert "scripts/pdf-font.txt" in caught.value.message
    assert "fonts-noto-cjk" in caught.value.message
