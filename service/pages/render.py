"""Rendering a page: one Jinja2 environment (autoescaped), the language, the links that keep it,
and the headers every page gets (its own CSP: nothing from another host, no script)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from credentials import holds_id_number
from service.pages import i18n

TEMPLATES: Final = Path(__file__).parent / "templates"
# Same-origin style sheet; images are this host's or inline (QR codes); forms post here only.
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PUBLIC: Final = "public, max-age=60"
PRIVATE: Final = "no-store"

ENV: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def href(lang: str, path: str, **params: object) -> str:
    """A link to `path` in `lang`, with the given query parameters (None and "" left out)."""
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    if lang != i18n.DEFAULT:
        query["lang"] = lang
    return path + ("?" + urlencode(query) if query else "")


def _switch(request: Request, lang: str) -> str:
    """This page in the other language (a GET of the same address; a form's answer links to the
    form)."""
    other = "en" if lang == "zh" else "zh"
    # What the client wrote into its address is written back into the link, but never what may
    # be an ID number (a path or a parameter typed with one): that part is left out.
    params = {
        k: v for k, v in request.query_params.items() if k != "lang" and not holds_id_number(v)
    }
    path = request.url.path if request.method == "GET" else "/lookup"
    return href(other, "/" if holds_id_number(path) else path, **params)


def respond(
    request: Request,
    template: str,
    *,
    status: int = 200,
    private: bool = False,
    headers: dict[str, str] | None = None,
    **data: Any,
) -> Response:
    """The page `template` in the request's language. `private`: an answer about a person
    (no-store, never cached anywhere); else public for a minute."""
    lang = i18n.language(request)
    body = ENV.get_template(template).render(
        lang=lang,
        lang_tag=i18n.TAGS[lang],
        t=i18n.translator(lang),
        has=i18n.has,
        href=lambda path, **params: href(lang, path, **params),
        switch_href=_switch(request, lang),
        path=request.url.path,
        **data,
    )
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "content-security-policy": CSP,
            "cache-control": PRIVATE if private or status >= 400 else PUBLIC,
            "content-language": i18n.TAGS[lang],
            **(headers or {}),
        },
    )
