from __future__ import annotations

from click.testing import CliRunner
from graphql import build_ast_schema, parse

from schema.build import SDL_PATH, sdl
from service.cli import main


def test_committed_sdl_is_current() -> None:
    committed = SDL_PATH.read_text(encoding="utf-8")
    assert committed == sdl(), (
        "schema/schema.graphql is stale: run `registry schema print -o schema/schema.graphql`"
    )


def test_schema_print_writes_the_sdl(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.graphql"
    result = CliRunner().invoke(main, ["schema", "print", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == sdl()
    # The SDL is the schema: built again from it, the field and its argument are there.
    query = build_ast_schema(parse(sdl())).query_type
    assert query is not None
    occupation = query.fields["occupation"]
    assert str(occupation.type) == "Occupation" and str(occupation.args["code"].type) == "String!"
