"""``make bench`` keeps working: benchmarks/bench_core.py run on tiny shapes.

The timings themselves are not tested (they depend on the machine); the
script's shape is: every function, shape and dtype gets a row with its ratios
and target, the large and the small inputs in tables with the same columns,
and the last line says whether the targets held.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from conftest import ROOT


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_core", ROOT / "benchmarks" / "bench_core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench(monkeypatch):
    module = _load_bench()
    monkeypatch.setattr(module, "SHAPES", [(256, 256), (70_000,)])
    monkeypatch.setattr(module, "SMALL_SHAPES", [(10,), (4, 5), (3, 100)])
    return module


def test_the_bench_prints_every_ratio(bench, capsys):
    assert bench.main(["--repeats", "2", "--wall"]) == 0
    out = capsys.readouterr().out
    names = [name for name, _, _ in bench.PAIRS]
    rows = [line.split() for line in out.splitlines() if "<=" in line and line.startswith("float")]
    # dtypes x shapes x functions, small inputs in the same columns
    assert len(rows) == 2 * (2 + 3) * len(names)
    for row in rows:
        numbers = [float(v) for v in row[row.index(next(n for n in names if n in row)) + 1:][:7]]
        milliseconds, (ours_scipy, ours_copy, exp_scipy, ours_exp) = numbers[:3], numbers[3:]
        assert all(v >= 0 for v in milliseconds), row
        assert all(np.isfinite(v) and v > 0 for v in (ours_scipy, ours_copy, ours_exp)), row
        assert exp_scipy >= 0, row  # (a tiny exp beside scipy's per-call overhead prints as 0.000)
    assert out.count("ours/scipy") == 2  # two tables, one header each
    last = out.rstrip().splitlines()[-1]
    assert last == "every speed target holds" or "np.exp alone takes" in last


def test_targets_are_the_documented_ones(bench):
    def x(shape, dtype=np.float64):
        return np.zeros(shape, dtype)

    assert bench.target("logsumexp", x(2**20)) == 0.3 and bench.target("logsumexp", x(10)) == 1.0
    assert bench.target("softmax", x((65536, 64), np.float32)) == 0.35
    assert bench.target("log_softmax", x((65536, 64), np.float32)) == 0.35
    assert bench.target("softmax", x((65536, 64))) == 1.0
    assert bench.target("softmax", x(2**24)) == 0.75 and bench.target("log_softmax", x(2**24)) == 0.75
    assert bench.target("softmax", x(2**24 - 1)) == 1.0


def test_the_bench_times_small_inputs_and_single_long_rows():
    module = _load_bench()
    assert {(1000, 50), (128, 1000), (256, 1000), (256,)} <= set(module.SMALL_SHAPES)
    assert {(10**5,), (10**6,), (4 * 10**6,), (10**7,), (65536, 64)} <= set(module.SHAPES)
