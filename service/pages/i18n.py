"""The pages' two languages: Chinese (the default) and English, one message catalogue each
(`messages/zh.json`, `messages/en.json`, the same keys: a test holds it). The language is the
`lang` query parameter (`?lang=en`), carried by every link and form of a page, so that English is
one click away with no script and no cookie."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Final

from starlette.requests import Request

LANGUAGES: Final = ("zh", "en")
DEFAULT: Final = "zh"
TAGS: Final = {"zh": "zh-CN", "en": "en"}
FOLDER: Final = Path(__file__).parent / "messages"


def load(lang: str) -> dict[str, str]:
    """The catalogue of `lang`: message key → text (`str.format` placeholders allowed)."""
    data = json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


CATALOGUES: Final = {lang: load(lang) for lang in LANGUAGES}


def language(request: Request) -> str:
    """The page's language: `?lang=en` for English; anything else is Chinese."""
    asked = request.query_params.get("lang", "")
    return asked if asked in LANGUAGES else DEFAULT


Translate = Callable[..., str]


def translator(lang: str) -> Translate:
    """`t(key, **values)`: the message in `lang`. An unknown key is a KeyError (a page never
    shows a key instead of a text); `has(key)` tells whether a key exists."""
    catalogue = CATALOGUES[lang]

    def t(key: str, **values: object) -> str:
        text = catalogue[key]
        return text.format(**values) if values else text

    return t


def has(key: str) -> bool:
    return key in CATALOGUES[DEFAULT]
