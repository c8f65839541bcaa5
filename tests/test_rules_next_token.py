"""Rules table for softmaxlab.next_token: bad arguments raise TypeError or ValueError from softmaxlab, naming them."""

from __future__ import annotations

import pytest

from rules_support import assert_rejects
from softmaxlab.next_token import train_next_token, zipf_next_token_task

COVERED = {"zipf_next_token_task", "train_next_token"}

SMALL = {"n_classes": 10, "n_contexts": 2, "n_train": 20, "n_test": 10}

TASK_ARGUMENTS = {
    "n_classes": [(1, ValueError), (2.0, TypeError), ("10", TypeError), (True, TypeError)],
    "n_contexts": [(0, ValueError), (None, TypeError)],
    "n_train": [(0, ValueError), (1.5, TypeError)],
    "n_test": [(-1, ValueError)],
    "rank": [(0, ValueError), ([2], TypeError)],
    "exponent": [(-0.5, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), ("1", TypeError),
                 (1j, TypeError)],
    "seed": [(-1, ValueError), (0.5, TypeError)],
}


@pytest.mark.parametrize("name, value, error", [(n, v, e) for n, cases in TASK_ARGUMENTS.items() for v, e in cases])
def test_zipf_next_token_task_rejects_bad_arguments(name, value, error):
    assert_rejects(zipf_next_token_task, (), {**SMALL, name: value}, names=name, errors=error)


TRAIN_ARGUMENTS = {
    "dim": [(0, ValueError), (2.0, TypeError)],
    "epochs": [(0, ValueError), ("1", TypeError)],
    "batch_size": [(0, ValueError), (None, TypeError)],
    "learning_rate": [(0.0, ValueError), (-1.0, ValueError), (float("nan"), ValueError), ("1", TypeError)],
    "samples": [(0, ValueError), (1.5, TypeError)],
    "log_z_penalty": [(-0.1, ValueError), (float("inf"), ValueError), (True, TypeError)],
    "checkpoints": [(0, ValueError)],
    "seed": [(-3, ValueError), (1.0, TypeError)],
}


@pytest.mark.parametrize("name, value, error", [(n, v, e) for n, cases in TRAIN_ARGUMENTS.items() for v, e in cases])
def test_train_next_token_rejects_bad_arguments(name, value, error):
    task = zipf_next_token_task(**SMALL)
    assert_rejects(train_next_token, (task, "full"), {name: value}, names=name, errors=error)


@pytest.mark.parametrize("estimator, error", [("fast", ValueError), (None, TypeError), (3, TypeError)])
def test_train_next_token_rejects_unknown_estimators(estimator, error):
    assert_rejects(train_next_token, (zipf_next_token_task(**SMALL), estimator), names="estimator", errors=error)


def test_train_next_token_rejects_a_task_of_another_type():
    assert_rejects(train_next_token, ([[0, 1]], "full"), names="task", errors=TypeError)


def test_the_task_is_not_modified_by_training():
    import numpy as np

    task = zipf_next_token_task(**SMALL)
    before = [a.copy() for a in (task.train_tokens, task.train_contexts, task.token_counts, task.true_log_probs)]
    train_next_token(task, "sampled", epochs=1, samples=3)
    after = (task.train_tokens, task.train_contexts, task.token_counts, task.true_log_probs)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
