"""``make workspace``: copy the exercise notebooks the reader's ``workspace/`` does not hold yet.

    python -m softmaxlab.workspace [--exercises exercises] [--workspace workspace]

Never overwrites or deletes a file already in the workspace (see
:func:`softmaxlab.grading.copy_new_exercises`); prints what it copied and what
it kept. A copy made before the exercises were renumbered (same name after the
number) is the reader's copy of that exercise: kept, and no blank copy is made
next to it.
"""

from __future__ import annotations

import argparse
import sys

from softmaxlab.grading import copy_new_exercises


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0, or 2 when there is no exercises folder)."""
    parser = argparse.ArgumentParser(
        prog="python -m softmaxlab.workspace",
        description="Copy into your workspace every exercise notebook it does not hold yet. "
        "Files already there (your answers) are never overwritten or deleted.",
    )
    parser.add_argument("--exercises", default="exercises", help="the book's exercises folder (default: exercises)")
    parser.add_argument("--workspace", default="workspace", help="your workspace folder (default: workspace)")
    args = parser.parse_args(argv)
    try:
        update = copy_new_exercises(args.exercises, args.workspace)
    except FileNotFoundError as exc:
        print(f"make workspace: {exc}; run it from the book's top folder", file=sys.stderr)
        return 2
    ws = args.workspace.rstrip("/")
    for name in update.copied:
        print(f"copied  {args.exercises.rstrip('/')}/{name} -> {ws}/{name}")
    for name in update.kept:
        if name in update.renumbered:
            now = update.renumbered[name]
            print(f"kept    {ws}/{name} (yours: never overwritten; it is exercise {now} now, renumbered)")
        else:
            print(f"kept    {ws}/{name} (yours: never overwritten)")
    print(
        f"{ws}/: {len(update.copied)} copied, {len(update.kept)} kept. "
        "Work the exercises there (make lab); check them with make progress."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
