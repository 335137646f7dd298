"""Cells written for spreadsheets (the open-data CSV) are never formulas: the output side of the
rule the input side refuses with (`formula_like`), checked over any text."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from registry.intake.rows import FORMULA_STARTS, formula_like, neutralised

texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
formulas = st.builds(lambda head, tail: head + tail, st.sampled_from(sorted(FORMULA_STARTS)), texts)


@given(st.one_of(texts, formulas, st.builds(lambda t: "　＝" + t, texts)))
def test_no_neutralised_cell_is_a_formula_and_each_keeps_its_text(text: str) -> None:
    cell = neutralised(text)
    assert not formula_like(cell)
    assert cell == ("'" + text if formula_like(text) else text)
    # Through the csv module and back, as a spreadsheet reads the file.
    out = io.StringIO()
    csv.writer(out).writerow([cell])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [cell]


def test_the_formulas_of_the_input_rule_are_neutralised() -> None:
    for text in [
        '=HYPERLINK("http://x","y")',
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "＝1",
        " =1",
    ]:
        assert formula_like(text) and neutralised(text) == "'" + text
    assert neutralised("北京启明数字技术培训学院") == "北京启明数字技术培训学院"
