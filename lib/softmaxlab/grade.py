"""The instructors' grader: run every student's exercise notebooks and write a CSV.

    python -m softmaxlab.grade SUBMISSIONS --csv grades.csv [--timeout S] [--exercises DIR]

``SUBMISSIONS`` holds one folder per student with that student's notebooks,
named as in the book's ``exercises/``. Each notebook runs in a fresh kernel on
a temporary copy in its own temporary directory, in its own process group,
killed at the timeout (:func:`softmaxlab.grading.run_notebook`); the
submissions folder is only read. The CSV has one row per student and exercise
(student, exercise, status, message, seconds), sorted; an exercise a student
did not submit is ``missing``. Prints a per-exercise summary on stdout and a
line per notebook on stderr while it runs. The exit code is 0 whatever the
grades are, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from softmaxlab.grading import (
    DEFAULT_TIMEOUT,
    _students,
    exercise_notebooks,
    grade_submissions,
    summary_table,
    write_grades_csv,
)

#: The book's exercises folder, when softmaxlab runs from the book's checkout (editable install).
BOOK_EXERCISES = Path(__file__).resolve().parent.parent.parent / "exercises"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m softmaxlab.grade",
        description="Grade the students' exercise notebooks: one fresh kernel per notebook, a CSV of results.",
    )
    parser.add_argument("submissions", help="folder with one subfolder of notebooks per student")
    parser.add_argument("--csv", required=True, help="where to write the grades (CSV)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds per notebook (default {DEFAULT_TIMEOUT:g})"
    )
    parser.add_argument(
        "--exercises",
        default=None,
        help="the book's exercises folder, which names the exercises (default: exercises/ of this checkout)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"grade: no submissions folder at {submissions}", file=sys.stderr)
        return 2
    exercises_dir = Path(args.exercises) if args.exercises else BOOK_EXERCISES
    if not exercises_dir.is_dir() and args.exercises is None:
        exercises_dir = Path("exercises")
    exercises = [p.stem for p in exercise_notebooks(exercises_dir)] if exercises_dir.is_dir() else []
    if not exercises:
        print(f"grade: no exercise notebooks in {exercises_dir}; pass --exercises with the book's exercises folder",
              file=sys.stderr)
        return 2
    if not _students(submissions):
        print(f"grade: {submissions} holds no student folders (one folder of notebooks per student)", file=sys.stderr)
        return 2
    csv_path = Path(args.csv)
    if not csv_path.parent.is_dir():
        print(f"grade: cannot write {csv_path}: no folder {csv_path.parent}", file=sys.stderr)
        return 2

    def say(text: str, end: str = "\n") -> None:
        print(text, end=end, file=sys.stderr, flush=True)

    try:
        rows = grade_submissions(submissions, exercises, args.timeout, on_progress=say)
    except KeyboardInterrupt:
        print("\ngrade: interrupted; no CSV written", file=sys.stderr)
        return 130
    try:
        write_grades_csv(rows, csv_path)
    except OSError as exc:
        print(f"grade: cannot write {csv_path}: {exc}", file=sys.stderr)
        return 2
    students = len({row.student for row in rows})
    print(summary_table(rows))
    print(f"{students} students, {len(exercises)} exercises: wrote {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
