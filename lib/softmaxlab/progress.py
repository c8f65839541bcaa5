"""``make progress``: run every notebook of the reader's workspace and say which exercises pass.

    python -m softmaxlab.progress [WORKSPACE] [--timeout S]

Each notebook runs headless in a fresh kernel, on a temporary copy in a
temporary directory (the reader's files are only read), with a timeout
(:func:`softmaxlab.grading.run_notebook`). Prints a table of exercise and
status and a last line ``N of M exercises passed``; one line per notebook on
stderr while it runs. The exit code is 0 whatever the answers are, 2 when
there is no workspace to check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from softmaxlab.grading import DEFAULT_TIMEOUT, describe, exercise_notebooks, progress_table, run_notebook


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m softmaxlab.progress",
        description="Run your exercise notebooks (on temporary copies) and show which exercises pass.",
    )
    parser.add_argument("workspace", nargs="?", default="workspace", help="your workspace folder (default: workspace)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds per notebook (default {DEFAULT_TIMEOUT:g})"
    )
    args = parser.parse_args(argv)
    workspace = Path(args.workspace)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if not workspace.is_dir():
        print(
            f"make progress: there is no {workspace}/ folder yet. Run `make workspace` (or `make lab`) "
            "first: it copies the exercises into it, and you work them there.",
            file=sys.stderr,
        )
        return 2
    notebooks = exercise_notebooks(workspace)
    if not notebooks:
        print(f"make progress: {workspace}/ holds no notebooks; `make workspace` copies the exercises into it.", file=sys.stderr)
    outcomes = []
    try:
        for i, path in enumerate(notebooks, 1):
            print(f"[{i}/{len(notebooks)}] {path.stem} ...", end="", file=sys.stderr, flush=True)
            outcome = run_notebook(path, args.timeout)
            print(f" {outcome.status} ({outcome.seconds:.1f} s)", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    except KeyboardInterrupt:
        print("\nmake progress: interrupted", file=sys.stderr)
        return 130
    print(progress_table(outcomes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
