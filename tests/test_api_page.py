"""The API page's hand-written signatures of the top-level names match the code."""

from __future__ import annotations

import inspect
import re

import pytest

import softmaxlab
from conftest import ROOT

ENTRY = re.compile(r"^\.\. py:(function|class):: (\w+)(\(.*\))?$", re.M)
ENTRIES = ENTRY.findall((ROOT / "reference" / "api.md").read_text())


def plain_signature(obj) -> str:
    """The signature as the page writes it: names and defaults, no annotations."""
    signature = inspect.signature(obj)
    parameters = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def test_the_page_lists_top_level_names():
    assert len(ENTRIES) > 50


@pytest.mark.parametrize("kind, name, written", ENTRIES, ids=[e[1] for e in ENTRIES])
def test_the_written_signature_is_the_real_one(kind, name, written):
    assert hasattr(softmaxlab, name), f"reference/api.md documents softmaxlab.{name}, which does not exist"
    if kind == "class" and not written:
        return
    assert written == plain_signature(getattr(softmaxlab, name))
