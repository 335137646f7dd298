"""Value literals of the correct type, checked as GraphQL checks them, but never repeated.

graphql-core's `ValuesOfCorrectTypeRule` quotes the refused literal ("String cannot represent a
non string value: 110101…"); a literal may be an ID number written as a number. This rule reports
the same errors, at the same places, with a message built only from the expected type and the
path inside the literal: no message of a refused literal carries anything the client wrote.
"""

from __future__ import annotations

from graphql import ASTValidationRule, GraphQLError, ValueNode
from graphql.language import SKIP, VisitorAction
from graphql.type import GraphQLInputType
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule


def value_free_message(expected: GraphQLInputType, path: list[str | int]) -> str:
    """What a refused literal's error says: the type it should have had, and where inside it."""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    at = f" (at `{where.lstrip('.')}`)" if where else ""
    return f"Expected a valid value of type '{expected}'{at}; the value is not repeated."


class QuietValuesOfCorrectTypeRule(ValuesOfCorrectTypeRule):
    """`ValuesOfCorrectTypeRule` whose errors never quote the literal (see the module)."""

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:
            expected = input_type

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                self.report_error(
                    GraphQLError(
                        value_free_message(expected, path),
                        error.nodes or node,
                        original_error=None,
                    )
                )

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP


def quiet(
    rules: tuple[type[ASTValidationRule], ...],
) -> tuple[type[ASTValidationRule], ...]:
    """`rules` with GraphQL's value rule replaced by the quiet one."""
    return tuple(
        QuietValuesOfCorrectTypeRule if rule is ValuesOfCorrectTypeRule else rule for rule in rules
    )
