"""``make bench`` keeps working: benchmarks/bench_core.py run on tiny shapes.

The timings themselves are not tested (they depend on the machine); the
script's shape is: every function and shape gets a row with its ratios, the
small-input table follows, and the last line says whether the targets held.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from conftest import ROOT


@pytest.fixture
def bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_core", ROOT / "benchmarks" / "bench_core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "SHAPES", [(256, 256), (1, 70_000)])
    monkeypatch.setattr(module, "SMALL_SHAPES", [(10,), (4, 5)])
    return module


def test_the_bench_prints_every_ratio(bench, capsys):
    assert bench.main(["--repeats", "2", "--wall"]) == 0
    out = capsys.readouterr().out
    names = [name for name, _, _ in bench.PAIRS]
    large = [line.split() for line in out.splitlines() if "<=" in line and line.startswith("float")]
    assert len(large) == 2 * 2 * len(names)  # dtypes x shapes x functions
    for row in large:
        numbers = [float(v) for v in row[row.index(next(n for n in names if n in row)) + 1:][:7]]
        milliseconds, ratios = numbers[:3], numbers[3:]  # ours/scipy, ours/copy, exp/scipy, ours/exp
        assert all(v >= 0 for v in milliseconds), row
        assert all(np.isfinite(v) and v > 0 for v in ratios), row
    small = [line for line in out.splitlines() if line.startswith("float") and line.count("=") == 3]
    assert len(small) == 2 * 2  # dtypes x small shapes, three functions each
    last = out.rstrip().splitlines()[-1]
    assert last == "every speed target holds" or "np.exp alone takes" in last


def test_targets_are_the_documented_ones(bench):
    assert bench.target("logsumexp", 10) == 0.3
    assert bench.target("softmax", 2**24) == 0.75 and bench.target("log_softmax", 2**24) == 0.75
    assert bench.target("softmax", 2**24 - 1) == 1.0
