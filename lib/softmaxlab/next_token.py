r"""One next-token task, every estimator of the softmax: a small model trained with each, costs counted.

:func:`zipf_next_token_task` draws a synthetic next-token task: ``C`` contexts,
``K`` tokens whose overall frequencies follow Zipf's law, and a true
conditional distribution ``p(y | c) = softmax(A_c . B_y - s log(rank y))`` of
low rank, from which training and held-out pairs are sampled. The held-out
cross-entropy of the true distribution is the floor any model can reach.

:func:`train_next_token` fits the same model to it, a learned
``d``-dimensional embedding ``h_c`` of each context followed by an output
layer, with one of the estimators of chapter 6:

``"full"``
    the softmax cross-entropy over all ``K`` tokens (``K`` exponentials per
    example), optionally with the self-normalisation penalty
    ``alpha (log Z)^2`` that drives ``log Z`` towards 0;
``"hierarchical"``
    hierarchical softmax over a Huffman tree of the training frequencies
    (:func:`softmaxlab.hierarchical_log_prob_grad`; one sigmoid per node on the
    label's path);
``"sampled"`` and ``"sampled_uncorrected"``
    sampled softmax over the true token and ``m`` tokens drawn from the
    unigram proposal, with and without the ``-log Q`` correction
    (:func:`softmaxlab.sampled_softmax_grad`; ``m + 1`` exponentials);
``"nce"``
    noise-contrastive estimation with ``k`` noise tokens from the unigram
    distribution, the scores read as self-normalised log-probabilities
    (:func:`softmaxlab.nce_grad`; ``k + 1`` sigmoids);
``"negative_sampling"``
    word2vec's objective with ``k`` negatives from the unigram distribution
    to the power 3/4 (:func:`softmaxlab.negative_sampling_grad`; ``k + 1``
    sigmoids).

Every run counts the exponentials its training evaluates (a sigmoid is one),
a number that depends only on the estimator, the data and the seed, and
records the held-out *full* cross-entropy of its scores (for hierarchical
softmax, of its own normalised tree distribution) at checkpoints, with the
wall-clock time spent training, which only illustrates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from softmaxlab._validation import check_int, check_real
from softmaxlab.core import log_softmax, logsumexp, softmax
from softmaxlab.gumbel import as_generator
from softmaxlab.hierarchical import (
    hierarchical_log_prob,
    hierarchical_log_prob_grad,
    huffman_tree,
)
from softmaxlab.nce import nce_grad
from softmaxlab.negative_sampling import negative_sampling_grad, unigram_noise
from softmaxlab.sampled import sampled_softmax_grad

__all__ = ["ESTIMATORS", "EstimatorRun", "ZipfTask", "train_next_token", "zipf_next_token_task"]

#: The estimators :func:`train_next_token` knows, in the order chapter 6 presents them.
ESTIMATORS = ("full", "hierarchical", "sampled", "sampled_uncorrected", "nce", "negative_sampling")


@dataclass(frozen=True, eq=False)
class ZipfTask:
    """A synthetic next-token task (see :func:`zipf_next_token_task`).

    Attributes
    ----------
    n_classes, n_contexts : int
        ``K`` tokens and ``C`` contexts.
    train_contexts, train_tokens, test_contexts, test_tokens : ndarray of int
        The training and held-out (context, next token) pairs.
    true_log_probs : ndarray, shape (C, K)
        ``log p(y | c)`` of the distribution the pairs were drawn from.
    token_counts : ndarray of int, shape (K,)
        How often each token occurs in the training pairs.
    floor : float
        The held-out cross-entropy of the true distribution, in nats: what a
        perfect model would score on the held-out pairs.
    """

    n_classes: int
    n_contexts: int
    train_contexts: np.ndarray
    train_tokens: np.ndarray
    test_contexts: np.ndarray
    test_tokens: np.ndarray
    true_log_probs: np.ndarray
    token_counts: np.ndarray
    floor: float


def zipf_next_token_task(
    n_classes: int = 1000,
    n_contexts: int = 20,
    n_train: int = 20_000,
    n_test: int = 2_000,
    *,
    rank: int = 4,
    exponent: float = 1.0,
    seed: int = 0,
) -> ZipfTask:
    r"""Draw a next-token task whose token frequencies follow Zipf's law.

    The true conditional is ``p(y | c) = softmax_y(A_c . B_y / sqrt(rank) - exponent log(y + 1))``
    with standard normal ``A`` (``C x rank``) and ``B`` (``K x rank``): a rank
    ``rank`` interaction on top of a Zipf prior, so token ``y`` (counted from
    0) is about ``(y + 1)^-exponent`` times as frequent as the first. Contexts
    are uniform; each pair's token is drawn from its context's distribution.

    Parameters
    ----------
    n_classes : int, optional
        ``K >= 2`` tokens.
    n_contexts : int, optional
        ``C >= 1`` contexts.
    n_train, n_test : int, optional
        Numbers of training and held-out pairs, each ``>= 1``.
    rank : int, optional
        Rank of the interaction, ``>= 1``.
    exponent : float, optional
        Zipf exponent ``s >= 0`` (0: no prior, 1: Zipf's law).
    seed : int, optional
        Seed of the generator; the same seed gives the same task.

    Returns
    -------
    ZipfTask

    Raises
    ------
    TypeError
        If a size or the seed is not an integer, or ``exponent`` not a real number.
    ValueError
        If a size is out of range or ``exponent`` is negative or not finite.

    Examples
    --------
    >>> from softmaxlab.next_token import zipf_next_token_task
    >>> task = zipf_next_token_task(n_classes=50, n_contexts=5, n_train=2000, n_test=500, seed=1)
    >>> task.train_tokens.shape, task.true_log_probs.shape, int(task.token_counts.sum())
    ((2000,), (5, 50), 2000)
    >>> bool(task.token_counts[:5].sum() > task.token_counts[-5:].sum())   # the head is frequent
    True
    >>> round(task.floor, 3)
    3.257
    """
    K = check_int(n_classes, "n_classes", minimum=2)
    C = check_int(n_contexts, "n_contexts", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=1)
    n_test = check_int(n_test, "n_test", minimum=1)
    rank = check_int(rank, "rank", minimum=1)
    s = check_real(exponent, "exponent")
    if s < 0:
        raise ValueError(f"exponent must be >= 0, got {s}")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((C, rank))
    B = rng.standard_normal((K, rank))
    logits = A @ B.T / np.sqrt(rank) - s * np.log(np.arange(1, K + 1))
    true_log_probs = log_softmax(logits, axis=1)
    cumulative = np.cumsum(np.exp(true_log_probs), axis=1)

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        contexts = rng.integers(0, C, size=n)
        u = rng.random(n) * cumulative[contexts, -1]
        tokens = np.minimum(np.sum(cumulative[contexts] < u[:, None], axis=1), K - 1)
        return contexts, tokens

    train_c, train_y = draw(n_train)
    test_c, test_y = draw(n_test)
    floor = float(-np.mean(true_log_probs[test_c, test_y]))
    return ZipfTask(K, C, train_c, train_y, test_c, test_y, true_log_probs, np.bincount(train_y, minlength=K), floor)


@dataclass(frozen=True, eq=False)
class EstimatorRun:
    """How one training run went (see :func:`train_next_token`).

    Attributes
    ----------
    estimator : str
        One of :data:`ESTIMATORS`.
    exponentials : ndarray of int
        Exponentials (and sigmoids) evaluated by training up to each
        checkpoint; the first checkpoint is before training (0).
    cross_entropy : ndarray
        Held-out full cross-entropy in nats at each checkpoint.
    seconds : ndarray
        Wall-clock seconds of training up to each checkpoint (illustration only).
    log_partition : ndarray
        ``log Z = logsumexp`` of the final scores for each held-out pair (0 for
        hierarchical softmax, normalised by construction); a self-normalised
        model has them near 0.
    """

    estimator: str
    exponentials: np.ndarray
    cross_entropy: np.ndarray
    seconds: np.ndarray
    log_partition: np.ndarray


def _scores(hidden: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return hidden @ weights.T


def _augmented(embedding: np.ndarray, contexts: np.ndarray) -> np.ndarray:
    """The context embeddings with a constant 1 appended: the last output weight is a bias."""
    h = embedding[contexts]
    return np.concatenate([h, np.ones((h.shape[0], 1))], axis=1)


def train_next_token(
    task: ZipfTask,
    estimator: str,
    *,
    dim: int = 8,
    epochs: int = 6,
    batch_size: int = 50,
    learning_rate: float = 1.0,
    samples: int = 20,
    log_z_penalty: float = 0.0,
    checkpoints: int = 8,
    seed: int = 0,
) -> EstimatorRun:
    r"""Train the context-embedding model on ``task`` with one estimator of the softmax, by SGD.

    The model scores token ``y`` in context ``c`` as ``o_y = W_y . [h_c, 1]``
    (``h_c`` a learned ``dim``-vector; the last column of ``W`` is a bias,
    started at the log of the add-one smoothed unigram distribution, the
    other weights at 0), or, for hierarchical softmax, by node weights (all
    0) on the Huffman tree of the smoothed training counts, whose untrained
    distribution ``2^-depth`` is already close to the unigram one. Each step takes ``batch_size`` pairs
    in a seeded random order and moves ``h`` and the output weights against
    the batch-mean gradient of the estimator's loss. The sampled estimators
    draw their ``samples`` tokens once per batch, shared by its examples,
    from the add-one smoothed unigram distribution of the training tokens
    (to the power 3/4 for negative sampling); a sampled token equal to an
    example's label is dropped for sampled softmax, as TensorFlow does.

    Exponentials counted per training example: ``K`` for ``"full"``, the
    depth of the label's leaf for ``"hierarchical"``, ``samples + 1`` for
    the other four.

    Parameters
    ----------
    task : ZipfTask
    estimator : str
        One of :data:`ESTIMATORS`.
    dim : int, optional
        Size of the context embedding, ``>= 1``.
    epochs : int, optional
        Passes over the training pairs, ``>= 1``.
    batch_size : int, optional
        Pairs per step, ``>= 1``.
    learning_rate : float, optional
        SGD step size, positive and finite.
    samples : int, optional
        ``m`` (sampled softmax) or ``k`` (NCE, negative sampling), ``>= 1``;
        ignored by ``"full"`` and ``"hierarchical"``.
    log_z_penalty : float, optional
        ``alpha >= 0``: adds ``alpha (log Z)^2`` per example to the full
        softmax loss (self-normalisation); only with ``"full"``.
    checkpoints : int, optional
        Held-out evaluations after the start, spread evenly over the steps, ``>= 1``.
    seed : int, optional
        Seed of the initialisation, the order and the samples.

    Returns
    -------
    EstimatorRun

    Raises
    ------
    TypeError
        If ``task`` is not a :class:`ZipfTask`, ``estimator`` not a string, or a
        number argument has the wrong type.
    ValueError
        If ``estimator`` is unknown, a number is out of range, or
        ``log_z_penalty`` is set for an estimator other than ``"full"``.

    Examples
    --------
    >>> from softmaxlab.next_token import train_next_token, zipf_next_token_task
    >>> task = zipf_next_token_task(n_classes=50, n_contexts=5, n_train=2000, n_test=500, seed=1)
    >>> run = train_next_token(task, "full", epochs=2, checkpoints=2)
    >>> run.exponentials.tolist()                        # K = 50 per example, 2000 examples per epoch
    [0, 100000, 200000]
    >>> bool(run.cross_entropy[-1] < run.cross_entropy[0])   # it learns
    True
    >>> int(train_next_token(task, "sampled", samples=5, epochs=1, checkpoints=1).exponentials[-1])
    12000
    """
    if not isinstance(task, ZipfTask):
        raise TypeError(f"task must be a ZipfTask (from zipf_next_token_task), got {type(task).__name__}")
    if not isinstance(estimator, str):
        raise TypeError(f"estimator must be a string, one of {ESTIMATORS}, got {type(estimator).__name__}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    dim = check_int(dim, "dim", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_real(learning_rate, "learning_rate")
    if lr <= 0:
        raise ValueError(f"learning_rate must be positive, got {lr}")
    samples = check_int(samples, "samples", minimum=1)
    alpha = check_real(log_z_penalty, "log_z_penalty")
    if alpha < 0:
        raise ValueError(f"log_z_penalty must be >= 0, got {alpha}")
    if alpha > 0 and estimator != "full":
        raise ValueError(f"log_z_penalty applies to the 'full' estimator only, not {estimator!r}")
    checkpoints = check_int(checkpoints, "checkpoints", minimum=1)
    rng = as_generator(check_int(seed, "seed", minimum=0))

    K, n = task.n_classes, task.train_tokens.shape[0]
    smoothed = task.token_counts + 1.0
    log_q = np.log(smoothed / smoothed.sum())
    noise = unigram_noise(smoothed, 0.75) if estimator == "negative_sampling" else np.exp(log_q)
    tree = huffman_tree(smoothed) if estimator == "hierarchical" else None
    embedding = 0.1 * rng.standard_normal((task.n_contexts, dim))
    weights = np.zeros((K - 1 if tree is not None else K, dim + 1))
    if tree is None:
        weights[:, -1] = log_q  # start every flat model at the unigram distribution, log Z = 0

    def evaluate() -> tuple[float, np.ndarray]:
        h = _augmented(embedding, task.test_contexts)
        if tree is not None:
            return float(-np.mean(hierarchical_log_prob(h, weights, tree, task.test_tokens))), np.zeros(len(h))
        scores = _scores(h, weights)
        log_z = logsumexp(scores, axis=1)
        return float(np.mean(log_z - scores[np.arange(len(h)), task.test_tokens])), log_z

    steps_per_epoch = -(-n // batch_size)
    total_steps = epochs * steps_per_epoch
    marks = set(np.linspace(0, total_steps, checkpoints + 1).round().astype(int)[1:].tolist())
    ce0, _ = evaluate()
    exponentials, cross_entropy, seconds = [0], [ce0], [0.0]
    spent, count, step = 0.0, 0, 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            contexts, labels = task.train_contexts[rows], task.train_tokens[rows]
            tic = time.perf_counter()
            h = _augmented(embedding, contexts)
            grad_h, grad_w, used = _batch_gradient(estimator, h, labels, weights, tree, log_q, noise, samples,
                                                   alpha, rng)
            weights -= lr * grad_w
            np.add.at(embedding, contexts, -lr * grad_h[:, :dim])
            spent += time.perf_counter() - tic
            count += used
            step += 1
            if step in marks:
                ce, _ = evaluate()
                exponentials.append(count)
                cross_entropy.append(ce)
                seconds.append(spent)
    _, log_z = evaluate()
    return EstimatorRun(estimator, np.array(exponentials, dtype=np.int64), np.array(cross_entropy),
                        np.array(seconds), log_z)


def _batch_gradient(estimator, h, labels, weights, tree, log_q, noise, samples, alpha, rng):
    """(batch-mean gradient w.r.t. h, w.r.t. the output weights, exponentials evaluated) for one batch."""
    B = h.shape[0]
    grad_w = np.zeros_like(weights)
    if estimator == "full":
        scores = _scores(h, weights)
        p = softmax(scores, axis=1)
        g = p.copy()
        g[np.arange(B), labels] -= 1.0
        if alpha > 0:  # d/do of alpha (log Z)^2 is 2 alpha log Z softmax(o)
            g += 2.0 * alpha * logsumexp(scores, axis=1)[:, None] * p
        g /= B
        return g @ weights, g.T @ h, B * weights.shape[0]
    if estimator == "hierarchical":
        grad_h, grad_nodes = hierarchical_log_prob_grad(h, weights, tree, labels)  # of the summed log-likelihood
        return -grad_h / B, -grad_nodes / B, int(tree.depths[labels].sum())
    drawn = rng.choice(noise.shape[0], size=samples, p=noise)
    true_scores = np.einsum("bd,bd->b", h, weights[labels])
    sampled_scores = h @ weights[drawn].T
    sampled_log_q = np.broadcast_to(log_q[drawn], sampled_scores.shape)
    if estimator in ("sampled", "sampled_uncorrected"):
        hits = drawn[None, :] == labels[:, None]
        g_true, g_sampled = sampled_softmax_grad(true_scores, sampled_scores, log_q[labels], sampled_log_q,
                                                 correct=estimator == "sampled", accidental_hits=hits)
    elif estimator == "nce":
        g_true, g_sampled = nce_grad(true_scores, sampled_scores, log_q[labels], sampled_log_q)
    else:
        g_true, g_sampled = negative_sampling_grad(true_scores, sampled_scores)
    g_true, g_sampled = g_true / B, g_sampled / B
    grad_h = g_true[:, None] * weights[labels] + g_sampled @ weights[drawn]
    np.add.at(grad_w, labels, g_true[:, None] * h)
    np.add.at(grad_w, drawn, g_sampled.T @ h)
    return grad_h, grad_w, B * (samples + 1)
