"""``make progress``: run every notebook of the reader's workspace and say which exercises pass.

    python -m softmaxlab.progress [WORKSPACE] [--timeout S] [--exercises DIR]

Each notebook runs headless in a fresh kernel, on a temporary copy in a
temporary directory (the reader's files are only read), with a timeout
(:func:`softmaxlab.grading.run_notebook`). Prints a table of exercise and
status and a last line ``N of M exercises passed``; one line per notebook on
stderr while it runs. A copy made before the exercises were renumbered is
reported under the exercise's name now, e.g. ``10_argmax_limit
(08_argmax_limit.ipynb)`` (:func:`softmaxlab.grading.match_exercises`). The
exit code is 0 whatever the answers are, 2 when there is no workspace to check.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from softmaxlab.grading import (
    DEFAULT_TIMEOUT,
    exercise_notebooks,
    match_exercises,
    progress_table,
    run_notebook,
)

#: The book's exercises folder, when softmaxlab runs from the book's checkout (editable install).
BOOK_EXERCISES = Path(__file__).resolve().parent.parent.parent / "exercises"


def labelled_notebooks(notebooks: list[Path], exercises: Path) -> list[tuple[str, Path]]:
    """Each notebook with the name its row shows, sorted by it.

    A notebook holding an exercise under an older number is shown under the
    exercise's stem now, its file name after it; every other notebook under
    its own stem.
    """
    stems = [p.stem for p in exercise_notebooks(exercises)] if exercises.is_dir() else []
    exercise_of = {path: stem for stem, path in match_exercises(notebooks, stems).items()}
    labelled = []
    for path in notebooks:
        stem = exercise_of.get(path, path.stem)
        labelled.append((stem if stem == path.stem else f"{stem} ({path.name})", path))
    return sorted(labelled)


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
    parser.add_argument(
        "--exercises",
        default=None,
        help="the book's exercises folder, which numbers the exercises (default: exercises/ of this checkout)",
    )
    args = parser.parse_args(argv)
    exercises = Path(args.exercises) if args.exercises else BOOK_EXERCISES
    if args.exercises is None and not exercises.is_dir():
        exercises = Path("exercises")
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
        print(f"make progress: {workspace}/ holds no notebooks; `make workspace` copies the exercises into it.",
              file=sys.stderr)
    outcomes = []
    try:
        for i, (label, path) in enumerate(labelled_notebooks(notebooks, exercises), 1):
            print(f"[{i}/{len(notebooks)}] {label} ...", end="", file=sys.stderr, flush=True)
            outcome = replace(run_notebook(path, args.timeout), exercise=label)
            print(f" {outcome.status} ({outcome.seconds:.1f} s)", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    except KeyboardInterrupt:
        print("\nmake progress: interrupted", file=sys.stderr)
        return 130
    print(progress_table(outcomes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
