"""Numbers in prose come from the code: a computed number is glued, never typed.

A markdown cell that types a number which a code cell of the same notebook
prints (in a stream or a text/plain result) is a number copied from an output,
and goes stale the day the code changes. It must be inserted with myst-nb's
``{glue:text}`` role instead. Numbers that the code itself contains as literals
define the setup (inputs, parameters, values asserted in a cell) and may be
typed. Integers are not considered (counts and sizes of the setup are everywhere);
decimals and numbers in exponent notation are. The short allow-list below holds
mathematical constants and a hand-worked example, each with its reason.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import all_notebooks

NUMBER = re.compile(
    r"(?<![\w.{`])-?\d+\.\d+(?:e[-+]?\d+)?(?![\w.])"  # 0.114, -0.15, 4.8e-6
    r"|(?<![\w.{`])\d+(?:\.\d+)?e[-+]?\d+(?![\w.])"  # 6e-6
)
GLUED = re.compile(r"\{glue:[a-z]+\}`[^`]*`")
LITERAL = re.compile(r"\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+")

#: (notebook stem, number) -> why it may be typed.
ALLOWED = {
    ("11_gumbel_max", "1.645"): "pi^2/6, a mathematical constant",
    ("06_variants_sparse", "-0.15"):
        "a worked example the text computes by hand, (0.7 - 1)/2; the next cell asserts it",
    ("13_sparsemax_threshold", "0.65"): "the hand-worked example of the exercise statement",
    ("13_sparsemax_threshold", "0.35"): "the hand-worked example of the exercise statement",
}


def printed_numbers(notebook) -> set[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts.append(output.get("text", ""))
            texts.append(output.get("data", {}).get("text/plain", ""))
    return set(NUMBER.findall("\n".join(texts)))


def typed_in_code(notebook) -> set[str]:
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return set(LITERAL.findall(code))


def copied_numbers(path) -> list[tuple[int, str]]:
    notebook = nbformat.read(path, as_version=4)
    printed, literals = printed_numbers(notebook), typed_in_code(notebook)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for number in NUMBER.findall(GLUED.sub("", cell.source)):
            if number in printed and number.lstrip("-") not in literals and (path.stem, number) not in ALLOWED:
                found.append((index, number))
    return found


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_number_in_prose_is_copied_from_an_output(path):
    copied = copied_numbers(path)
    assert not copied, (
        f"{path.name}: markdown cells type numbers that the code prints; glue them with "
        f"{{glue:text}} instead (cell index, number): {copied}"
    )


def test_the_rule_catches_a_copied_number(tmp_path):
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("print(round(1 / 7, 3))")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.143\n")]
    notebook.cells = [code, nbformat.v4.new_markdown_cell("The ratio is 0.143, and glued: {glue:text}`r:.3f`.")]
    path = tmp_path / "demo.ipynb"
    nbformat.write(notebook, path)
    assert copied_numbers(path) == [(1, "0.143")]


def numpy_scalar_glues(path) -> list[str]:
    """The names of glued values stored as a numpy scalar's repr, e.g. ``np.float64(1.5)``.

    myst-nb formats ``{glue:text}`name:.3f``` by evaluating the stored text/plain; a numpy repr
    fails ("Failed to format text/plain data"), a warning that the -W build turns into an error.
    Glue ``float(value)`` or ``int(value)`` instead.
    """
    notebook = nbformat.read(path, as_version=4)
    names = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("text/plain", "")
            if name and NUMPY_REPR.match(text):
                names.append(name)
    return names


NUMPY_REPR = re.compile(r"np\.(float|int|uint|bool|complex|str)\w*\(")


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_glued_value_is_a_numpy_scalar(path):
    names = numpy_scalar_glues(path)
    assert not names, f"{path.name}: glue float(...) or int(...), not a numpy scalar: {names}"
