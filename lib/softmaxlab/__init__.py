"""softmaxlab: the softmax function and its relatives, computed carefully.

The library behind the executable book on softmax. Numerics use numpy only;
``softmaxlab.symbolic`` holds the SymPy derivations the book shows and the
tests prove; ``softmaxlab.plotting`` is the one figure style of the book;
``softmaxlab.exercises`` checks the readers' answers to the exercises.
"""

# Chapter 1: the definition.
from softmaxlab.core import log_softmax, logsumexp, softmax

# Chapters 2-3: derivatives and losses.
from softmaxlab.derivatives import softmax_hessian, softmax_jacobian, softmax_jvp, softmax_vjp
from softmaxlab.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_grad,
    entropy,
    kl_divergence,
    softmax_squared_error,
    softmax_squared_error_grad,
)
from softmaxlab.gradcheck import GradientCheck, check_gradient, numerical_gradient, numerical_jacobian
from softmaxlab.regression import SoftmaxRegression

# Chapters 4-5: partition function, temperature, Gumbel.
from softmaxlab.thermo import (
    boltzmann,
    energy_variance,
    free_energy,
    heat_capacity,
    log_partition,
    mean_energy,
    thermo_entropy,
    variational_free_energy,
)
from softmaxlab.ising import IsingThermodynamics, ising_ring_log_partition, ising_ring_thermodynamics
from softmaxlab.bandit import BanditResult, boltzmann_bandit
from softmaxlab.gumbel import gumbel_max_sample, gumbel_softmax
from softmaxlab.smoothmax import hardmax, smooth_min, softmin

# Chapter 6: the variants.
from softmaxlab.hierarchical import (
    BinaryTree,
    balanced_tree,
    hierarchical_log_prob,
    hierarchical_log_prob_grad,
    hierarchical_log_softmax,
    hierarchical_softmax,
    huffman_tree,
)
from softmaxlab.sampled import sampled_softmax_grad, sampled_softmax_loss
from softmaxlab.nce import nce_grad, nce_logits, nce_loss
from softmaxlab.negative_sampling import negative_sampling_grad, negative_sampling_loss, shifted_pmi, unigram_noise
from softmaxlab.sparse import (
    entmax15,
    entmax15_jacobian,
    entmax15_jvp,
    entmax15_threshold,
    entmax_bisect,
    sparsemax,
    sparsemax_jacobian,
    sparsemax_jvp,
    sparsemax_threshold,
)
from softmaxlab.attention import MemoryTraffic, scaled_dot_product_attention
from softmaxlab.online import SoftmaxState, merge, online_logsumexp, online_softmax, softmax_state, tiled_attention

# Chapter 4's sections: the probabilistic readings of softmax, and estimating Z.
from softmaxlab.graphical import ising_ring_gibbs, ising_spin_conditional
from softmaxlab.maxent import class_features, maxent_fit, maxent_probabilities
from softmaxlab.glm import multinomial_glm_fit
from softmaxlab.generative import bernoulli_naive_bayes_scores, lda_scores
from softmaxlab.importance import effective_sample_size, importance_log_partition
from softmaxlab.ensembles import density_of_states, log_partition_from_levels

# Chapter 7: softmax inside networks.
from softmaxlab.addressing import content_addressing
from softmaxlab.gating import cv_squared, expert_importance, expert_load, top_k_gating
from softmaxlab.mlp import TrainingRun, train_one_hidden_layer
from softmaxlab.next_token import EstimatorRun, ZipfTask, train_next_token, zipf_next_token_task

# Chapter 8: computing softmax well (formats, ulps, 50-digit references, condition numbers).
from softmaxlab.floating import (
    DoubleDouble,
    FloatFormat,
    float_format,
    log_softmax_condition,
    logsumexp_condition,
    mp_log_softmax,
    mp_logsumexp,
    mp_softmax,
    softmax_condition,
    ulp,
    ulp_error,
)

__version__ = "0.1.0"

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "softmax_jacobian", "softmax_jvp", "softmax_vjp", "softmax_hessian",
    "entropy", "cross_entropy", "cross_entropy_grad", "kl_divergence", "binary_cross_entropy_with_logits",
    "softmax_squared_error", "softmax_squared_error_grad",
    "numerical_jacobian", "numerical_gradient", "check_gradient", "GradientCheck", "SoftmaxRegression",
    "boltzmann", "log_partition", "free_energy", "mean_energy", "energy_variance", "heat_capacity", "thermo_entropy",
    "variational_free_energy",
    "ising_ring_log_partition", "ising_ring_thermodynamics", "IsingThermodynamics", "boltzmann_bandit", "BanditResult",
    "gumbel_max_sample", "gumbel_softmax", "hardmax", "softmin", "smooth_min",
    "BinaryTree", "balanced_tree", "huffman_tree", "hierarchical_softmax", "hierarchical_log_softmax",
    "hierarchical_log_prob", "hierarchical_log_prob_grad", "sampled_softmax_loss", "sampled_softmax_grad", "nce_logits",
    "nce_loss", "nce_grad", "unigram_noise", "negative_sampling_loss", "negative_sampling_grad", "shifted_pmi",
    "sparsemax", "sparsemax_threshold", "sparsemax_jacobian", "sparsemax_jvp", "entmax15", "entmax15_threshold",
    "entmax15_jacobian", "entmax15_jvp", "entmax_bisect", "MemoryTraffic", "scaled_dot_product_attention",
    "SoftmaxState", "softmax_state", "merge", "online_softmax", "online_logsumexp", "tiled_attention",
    "ising_spin_conditional", "ising_ring_gibbs",
    "class_features", "maxent_probabilities", "maxent_fit", "multinomial_glm_fit", "lda_scores",
    "bernoulli_naive_bayes_scores",
    "importance_log_partition", "effective_sample_size", "density_of_states", "log_partition_from_levels",
    "content_addressing", "top_k_gating", "expert_importance", "expert_load", "cv_squared", "TrainingRun",
    "train_one_hidden_layer",
    "ZipfTask", "zipf_next_token_task", "EstimatorRun", "train_next_token",
    "FloatFormat", "float_format", "ulp", "DoubleDouble", "ulp_error", "mp_softmax", "mp_log_softmax", "mp_logsumexp",
    "softmax_condition", "log_softmax_condition", "logsumexp_condition",
]
