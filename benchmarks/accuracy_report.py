"""Print the largest errors, in ulps, of softmaxlab, scipy.special and the naive formulas.

Run with ``.venv/bin/python benchmarks/accuracy_report.py``. It measures the
same vectors, against the same 50-digit mpmath reference, as
``tests/test_accuracy.py`` (both import ``tests/accuracy_cases.py``): every
output against the exact formula applied to the rounded differences
``fl(x_j - max)``, relative to the true value even near 0 (logsumexp relative
to ``|max| + log1p(s)``). "naive" is the textbook formula without the shift:
``exp(x) / sum(exp(x))``, its log, and ``log(sum(exp(x)))``. A second table
gives softmaxlab's errors against the exact input instead, i.e. including the
unavoidable rounding of ``x_j - max``.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy
import scipy.special

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import accuracy_cases as ac  # noqa: E402
import softmaxlab  # noqa: E402
from softmaxlab import log_softmax, logsumexp, softmax  # noqa: E402

OUTPUTS = ("softmax", "log_softmax", "logsumexp")


def naive_softmax(x):
    e = np.exp(x)
    return e / np.sum(e)


def naive_log_softmax(x):
    return np.log(naive_softmax(x))


def naive_logsumexp(x):
    return np.log(np.sum(np.exp(x)))


IMPLEMENTATIONS = {
    "ours": (softmax, log_softmax, logsumexp),
    "scipy": (scipy.special.softmax, scipy.special.log_softmax, scipy.special.logsumexp),
    "naive": (naive_softmax, naive_log_softmax, naive_logsumexp),
}


def fmt(v: float) -> str:
    if math.isinf(v):
        return "inf"
    return f"{v:.2f}" if v < 100 else f"{v:.1e}"


def worst_by_family(dtype, exact_input=False, names=tuple(IMPLEMENTATIONS)):
    """{family: {(implementation, output): max ulp error}}, plus an "all" family."""
    worst = defaultdict(lambda: defaultdict(float))
    counts = defaultdict(int)
    for (family, x), ref in zip(ac.cases(dtype), ac.references(dtype, exact_input)):
        counts[family] += 1
        counts["all"] += 1
        for name in names:
            errors = ac.errors(x, ref, *IMPLEMENTATIONS[name])
            for output in OUTPUTS:
                for key in (family, "all"):
                    worst[key][name, output] = max(worst[key][name, output], getattr(errors, output))
    return worst, counts


def main() -> int:
    print(f"softmaxlab {softmaxlab.__version__}, numpy {np.__version__}, scipy {scipy.__version__}; "
          f"reference: mpmath at {ac.DIGITS} digits")
    print(f"{ac.N_RANDOM} random vectors (lengths 2..1000, mixed scales) + adversarial families per dtype")
    print("max error in ulps (relative to the true value; logsumexp to |max| + log1p(s))\n")
    names = tuple(IMPLEMENTATIONS)
    head = f"{'dtype':8} {'family':18} {'n':>5}  " + "  ".join(
        f"{output + ' ' + '/'.join(names):>26}" for output in OUTPUTS)
    print(head)
    print("-" * len(head))
    for dtype in ac.DTYPES:
        worst, counts = worst_by_family(dtype)
        for family in [*sorted(set(worst) - {"all"}, key=lambda f: (f != "random", f)), "all"]:
            cells = "  ".join(f"{' / '.join(fmt(worst[family][n, o]) for n in names):>26}" for o in OUTPUTS)
            print(f"{np.dtype(dtype).name:8} {family:18} {counts[family]:5d}  {cells}")
        print()
    print("softmaxlab against the exact input (includes the rounding of x_j - max), max ulps:")
    for dtype in ac.DTYPES:
        worst, _ = worst_by_family(dtype, exact_input=True, names=("ours",))
        cells = ", ".join(f"{o} {fmt(worst['all']['ours', o])}" for o in OUTPUTS)
        print(f"  {np.dtype(dtype).name:8} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
