"""Every public name of softmaxlab and softmaxlab.symbolic is in a rules table (tests/test_rules_*.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import softmaxlab
import softmaxlab.symbolic

HERE = Path(__file__).resolve().parent

#: Public names that are containers of results or configuration, with nothing to validate beyond
#: what the functions returning them validate.
RESULT_TYPES = {
    "GradientCheck", "IsingThermodynamics", "BanditResult", "BinaryTree", "MemoryTraffic", "SoftmaxState",
    "TrainingRun", "ZipfTask", "EstimatorRun",
}


def covered_names() -> set[str]:
    names: set[str] = set()
    for path in sorted(HERE.glob("test_rules_*.py")):
        if path.name == Path(__file__).name:
            continue
        name = f"_rules_{path.stem}"
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # dataclasses in a table look their module up here
            spec.loader.exec_module(module)
        names |= set(getattr(module, "COVERED", ()))
    return names


def test_every_public_name_is_in_a_rules_table():
    public = set(softmaxlab.__all__) | set(softmaxlab.symbolic.__all__)
    missing = sorted(public - RESULT_TYPES - covered_names())
    assert not missing, f"public names with no rules table in tests/test_rules_*.py: {missing}"


def test_the_tables_cover_only_public_names():
    public = set(softmaxlab.__all__) | set(softmaxlab.symbolic.__all__)
    assert covered_names() <= public, sorted(covered_names() - public)
