"""The public pages, server-rendered (Jinja2 templates in `templates/`), Chinese by default with
English one click away (`?lang=en`), working without JavaScript and at 375 px; see
`docs/pages.md`. Every page is a client of the domain through `resolvers/`, as `/graphql` is.

| route | page |
| --- | --- |
| `/` | what the registry is; links to everything |
| `/lookup`, `POST /lookup/number`, `POST /lookup/holder` | certificate look-up (no-store) |
| `/institutions`, `/institutions/{uscc}`, `POST /institutions/{uscc}/objection` | directories |
| `/occupations`, `/standards` | the catalogue |
| `/campaigns`, `/campaigns/{cid}` | supervision campaigns and their draws |
| `/pages.css` | the pages' style sheet |
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from service.pages import catalogue, directory, home, institution, lookup, supervision

routes: list[BaseRoute] = [
    *home.routes,
    *lookup.routes,
    *directory.routes,
    *institution.routes,
    *catalogue.routes,
    *supervision.routes,
]
