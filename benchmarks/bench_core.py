"""Time softmaxlab's softmax, log_softmax and logsumexp against scipy.special.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_core.py``).
Everything runs in one process on the same arrays: random logits of the
shapes below in float32 and float64, reduced along the last axis, plus a plain
copy of the array (``x.copy()``: read it once, write a fresh array once), the
memory-bandwidth floor that any function returning an array of the input's
size must pay. Each function is timed ``--repeats`` times in rounds: within a
round the copy, ours and scipy's run back to back, so a slow moment of a
shared machine hits all three alike, and each ratio is the median over the
rounds of that round's ratio (times are medians too). A timing repeats the call
until it lasts about 2 ms, so small inputs, where a call takes microseconds,
are timed as precisely as large ones. Times are the CPU time of this process
(``time.process_time``), so other programs running on the machine do not
count; ``--wall`` uses wall-clock time instead.

The table gives ours / scipy (below 1 means faster than scipy) and ours / copy,
and, as "exp/scipy", the time of ``np.exp`` alone over the shifted array
``x - max`` (read from memory once, computed in cache-sized chunks) relative to
scipy's: a floor that no numpy implementation computing every exponential can
go below; "ours/exp" is how far above that floor ours is. (On CPUs without
AVX-512, numpy's float64 exp is glibc's scalar one, and this floor is high.)

The speed targets (:func:`target`): no input slower than scipy; softmax and
log_softmax at most 0.75 of scipy's time on every array of 2**24 elements or
more, and at most 0.35 on float32 (65536, 64); logsumexp at most 0.3 of
scipy's time on every array of 2**20 elements or more. Small inputs, where
numpy's cost per call (about a microsecond) rather than the arithmetic sets the
time, get the same columns in a second table.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy
import scipy.special

import softmaxlab
from softmaxlab import log_softmax, logsumexp, softmax

#: Many short rows, many long rows, and single rows of 10**5 to 10**7 entries.
SHAPES = [(4096, 4096), (65536, 64), (64, 65536), (100_000,), (1_000_000,), (4_000_000,), (10_000_000,)]
#: Inputs that fit in cache, from one short row to a (256, 1000) batch.
SMALL_SHAPES = [(10,), (256,), (4096,), (32, 10), (512, 128), (1000, 50), (128, 1000), (256, 1000)]
DTYPES = [np.float32, np.float64]
PAIRS = [
    ("softmax", softmax, scipy.special.softmax),
    ("log_softmax", log_softmax, scipy.special.log_softmax),
    ("logsumexp", logsumexp, scipy.special.logsumexp),
]
LARGE = 2**24


def target(name: str, x: np.ndarray) -> float:
    """The largest allowed ours / scipy ratio on ``x`` (the speed targets of the module docstring)."""
    if name == "logsumexp":
        return 0.3 if x.size >= 2**20 else 1.0
    if x.dtype == np.float32 and x.shape == (65536, 64):
        return 0.35
    return 0.75 if x.size >= LARGE else 1.0


def exp_floor(x: np.ndarray, chunk: int = 1 << 15):
    """A callable computing ``np.exp(x - max)`` of every entry into a cache-sized buffer.

    The shift is done beforehand (exp's speed depends on its arguments: glibc's
    float64 exp is faster on the non-positive arguments softmax uses).
    """
    flat = (x - x.max(axis=-1, keepdims=True)).reshape(-1)
    buffer = np.empty(min(chunk, flat.size), dtype=x.dtype)

    def run():
        for start in range(0, flat.size, chunk):
            part = flat[start : start + chunk]
            np.exp(part, out=buffer[: part.size])

    return run


def _calls_per_timing(f, clock) -> int:
    """How many back-to-back calls of ``f`` last about 2 ms (at least one)."""
    start = clock()
    f()
    return max(1, int(2e-3 / max(clock() - start, 1e-7)))


def measure(x: np.ndarray, repeats: int, clock) -> dict:
    """Median times per call and median per-round ratios of ours, scipy's, a copy and the exp floor."""
    results = {}
    floor = exp_floor(x)
    for name, ours, theirs in PAIRS:
        calls = {"copy": x.copy, "ours": lambda ours=ours: ours(x, axis=-1),
                 "scipy": lambda theirs=theirs: theirs(x, axis=-1), "exp": floor}
        for f in calls.values():  # warm up: first-touch page faults, caches
            f()
        count = _calls_per_timing(calls["scipy"], clock)
        times = {key: [] for key in calls}
        for _ in range(repeats):
            for key, f in calls.items():
                start = clock()
                for _ in range(count):
                    f()
                times[key].append((clock() - start) / count)
        t = {key: np.array(v) for key, v in times.items()}
        results[name] = {
            **{key: float(np.median(v)) for key, v in t.items()},
            "ours/scipy": float(np.median(t["ours"] / t["scipy"])),
            "ours/copy": float(np.median(t["ours"] / t["copy"])),
            "exp/scipy": float(np.median(t["exp"] / t["scipy"])),
            "ours/exp": float(np.median(t["ours"] / t["exp"])),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per function (default 7)")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of process CPU time")
    args = parser.parse_args(argv)
    clock = time.perf_counter if args.wall else time.process_time

    print(f"softmaxlab {softmaxlab.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"Python {sys.version.split()[0]}")
    print(f"{args.repeats} rounds, {'wall-clock' if args.wall else 'process CPU'} time, axis=-1; "
          "ratios are medians of per-round ratios\n")
    header = (f"{'dtype':8} {'shape':>14} {'function':12} {'ours ms':>9} {'scipy ms':>9} "
              f"{'copy ms':>8} {'ours/scipy':>10} {'ours/copy':>9} {'exp/scipy':>9} {'ours/exp':>8} "
              f"{'target':>7}")
    failures = []
    rng = np.random.default_rng(0)
    for title, shapes in [("large arrays and long rows", SHAPES), ("small inputs", SMALL_SHAPES)]:
        print(f"{title}:\n{header}\n{'-' * len(header)}")
        for dtype in DTYPES:
            for shape in shapes:
                x = (4.0 * rng.standard_normal(shape)).astype(dtype)
                for name, r in measure(x, args.repeats, clock).items():
                    ratio, limit = r["ours/scipy"], target(name, x)
                    ok = ratio <= limit
                    if not ok:
                        failures.append((np.dtype(dtype).name, shape, name, ratio, limit, r["exp/scipy"]))
                    print(f"{np.dtype(dtype).name:8} {shape!s:>14} {name:12} "
                          f"{1e3 * r['ours']:9.4g} {1e3 * r['scipy']:9.4g} {1e3 * r['copy']:8.2g} "
                          f"{ratio:10.2f} {r['ours/copy']:9.1f} {r['exp/scipy']:9.3f} {r['ours/exp']:8.2f} "
                          f"{'<= ' + format(limit, '.2f'):>7}"
                          f"{'' if ok else '  MISSED'}", flush=True)
                del x
        print()
    if failures:
        print(f"{len(failures)} target(s) missed:")
        for dt, shape, name, ratio, limit, floor in failures:
            why = "more than that" if floor > limit else f"{floor:.2f} of scipy's time"
            print(f"  {dt} {shape} {name}: {ratio:.2f} > {limit:.2f}  (np.exp alone takes {why})")
    else:
        print("every speed target holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
