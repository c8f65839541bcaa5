"""The next-token comparison: the task's sampling, the estimators' counts, and what each estimator learns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmaxlab import logsumexp
from softmaxlab.next_token import (
    ESTIMATORS,
    EstimatorRun,
    ZipfTask,
    train_next_token,
    zipf_next_token_task,
)


@pytest.fixture(scope="module")
def task() -> ZipfTask:
    return zipf_next_token_task(n_classes=60, n_contexts=4, n_train=3000, n_test=1000, seed=3)


def test_the_task_is_seeded_zipf_and_its_floor_is_the_true_cross_entropy(task):
    again = zipf_next_token_task(n_classes=60, n_contexts=4, n_train=3000, n_test=1000, seed=3)
    assert np.array_equal(task.train_tokens, again.train_tokens) and task.floor == again.floor
    other = zipf_next_token_task(n_classes=60, n_contexts=4, n_train=3000, n_test=1000, seed=4)
    assert not np.array_equal(task.train_tokens, other.train_tokens)
    np.testing.assert_allclose(logsumexp(task.true_log_probs, axis=1), 0.0, atol=1e-12)
    assert task.token_counts.sum() == 3000 and task.floor == pytest.approx(
        -np.mean(task.true_log_probs[task.test_contexts, task.test_tokens]))
    # Zipf: the first tokens together are far more frequent than the last ones.
    assert task.token_counts[:6].sum() > 5 * task.token_counts[-6:].sum()


def test_the_empirical_frequencies_follow_the_true_distribution():
    task = zipf_next_token_task(n_classes=8, n_contexts=1, n_train=200_000, n_test=10, seed=0)
    expected = np.exp(task.true_log_probs[0]) * 200_000
    chi2 = np.sum((task.token_counts - expected) ** 2 / expected)
    assert chi2 < 30  # 7 degrees of freedom: p ~ 1e-4 at 30


def test_exponential_counts_are_the_documented_ones(task):
    per_epoch = {"full": 3000 * 60, "sampled": 3000 * 6, "sampled_uncorrected": 3000 * 6, "nce": 3000 * 6,
                 "negative_sampling": 3000 * 6}
    for estimator, count in per_epoch.items():
        run = train_next_token(task, estimator, samples=5, epochs=2, checkpoints=2)
        assert run.exponentials.tolist() == [0, count, 2 * count], estimator
    run = train_next_token(task, "hierarchical", epochs=1, checkpoints=1)
    from softmaxlab import huffman_tree

    depths = huffman_tree(task.token_counts + 1.0).depths
    assert run.exponentials.tolist() == [0, int(depths[task.train_tokens].sum())]


def test_runs_are_reproducible_and_record_every_checkpoint(task):
    a = train_next_token(task, "nce", epochs=1, checkpoints=3, seed=5)
    b = train_next_token(task, "nce", epochs=1, checkpoints=3, seed=5)
    assert isinstance(a, EstimatorRun) and a.estimator == "nce"
    assert np.array_equal(a.cross_entropy, b.cross_entropy) and a.cross_entropy.shape == (4,)
    assert np.all(np.diff(a.seconds) >= 0) and np.all(np.diff(a.exponentials) > 0)
    assert a.log_partition.shape == task.test_tokens.shape


@pytest.fixture(scope="module")
def runs():
    task = zipf_next_token_task(n_classes=200, n_contexts=5, n_train=8000, n_test=2000, seed=1)
    return task, {e: train_next_token(task, e, epochs=4, checkpoints=2) for e in ESTIMATORS}


def test_consistent_estimators_learn_and_the_biased_ones_do_not(runs):
    task, by_name = runs
    start = by_name["full"].cross_entropy[0]
    for estimator in ("full", "hierarchical", "sampled", "nce"):
        assert by_name[estimator].cross_entropy[-1] < start - 0.05, estimator
        assert by_name[estimator].cross_entropy[-1] > task.floor, estimator
    # Without the -log Q correction the candidates' softmax is biased towards the proposal;
    # negative sampling learns a shifted PMI, not log p: both end worse than the consistent ones.
    for biased in ("sampled_uncorrected", "negative_sampling"):
        assert by_name[biased].cross_entropy[-1] > by_name["sampled"].cross_entropy[-1] + 0.05, biased


def test_the_sampled_estimators_evaluate_far_fewer_exponentials(runs):
    _, by_name = runs
    full = by_name["full"].exponentials[-1]
    for estimator in ("hierarchical", "sampled", "nce", "negative_sampling"):
        assert by_name[estimator].exponentials[-1] < full / 5, estimator


def test_nce_and_the_penalty_self_normalise_and_hierarchical_is_normalised(runs):
    task, by_name = runs
    assert np.all(by_name["hierarchical"].log_partition == 0)
    plain = np.mean(np.abs(by_name["full"].log_partition))
    penalised = train_next_token(task, "full", epochs=4, checkpoints=1, log_z_penalty=1.0)
    assert np.mean(np.abs(penalised.log_partition)) < plain / 3
    assert np.mean(np.abs(by_name["nce"].log_partition)) < np.mean(np.abs(by_name["negative_sampling"].log_partition))


def test_the_penalty_with_zero_weight_changes_nothing(task):
    a = train_next_token(task, "full", epochs=1, checkpoints=1)
    b = train_next_token(task, "full", epochs=1, checkpoints=1, log_z_penalty=0.0)
    assert np.array_equal(a.cross_entropy, b.cross_entropy)


def test_arguments_are_checked(task):
    with pytest.raises(ValueError, match="estimator must be one of"):
        train_next_token(task, "softmax")
    with pytest.raises(TypeError, match="task must be a ZipfTask"):
        train_next_token({"tokens": [1]}, "full")
    with pytest.raises(ValueError, match="log_z_penalty applies to the 'full' estimator only"):
        train_next_token(task, "nce", log_z_penalty=0.5)


@settings(deadline=None)
@given(
    st.integers(2, 30),
    st.integers(1, 6),
    st.integers(1, 40),
    st.sampled_from(["sampled", "sampled_uncorrected", "nce", "negative_sampling"]),
    st.integers(0, 2**16),
)
def test_sampled_estimators_count_samples_plus_one_per_example(n_classes, samples, batch_size, estimator, seed):
    task = zipf_next_token_task(n_classes=n_classes, n_contexts=2, n_train=50, n_test=10, seed=seed)
    run = train_next_token(task, estimator, samples=samples, batch_size=batch_size, epochs=1, checkpoints=1, seed=seed)
    assert run.exponentials.tolist() == [0, 50 * (samples + 1)]
    assert np.all(np.isfinite(run.cross_entropy)) and np.all(np.isfinite(run.log_partition))
