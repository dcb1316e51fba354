"""What the network trainer and its views hand to the window: the snapshot and the pictures (decision map,
unit maps, loss landscape, gradient check, another run's gradient flow). Frozen, read-only arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gdplay.core.trainer import Snapshot

# -- what the window shows ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class NetworkSnapshot(Snapshot):
    """A run at one moment. ``cost`` is the training loss at the current weights (full training set).
    Arrays are read-only copies; layer indices in names and messages count weight layers from 1."""

    learning_rate: float
    loss_name: str
    activation: str
    optimizer: str
    layer_sizes: tuple[int, ...]  # (n_features, *hidden, n_outputs); () when there is no network
    classes: tuple[int, ...]
    features: tuple[str, ...]
    coefs: tuple[np.ndarray, ...]  # W_l, shape (n_in, n_out)
    intercepts: tuple[np.ndarray, ...]  # b_l, shape (n_out,)
    train_loss: float
    test_loss: float  # nan without test rows
    train_accuracy: float
    test_accuracy: float
    grad_norms: tuple[float, ...]  # ‖∂E/∂W_l‖ over the whole training set, per weight layer
    flat_fractions: tuple[float, ...]  # per hidden layer: saturated (sigmoid/tanh) or dead (ReLU) share
    flat_kind: str  # "saturated" | "dead" | "zero-slope" (binary step) | "none" (linear)
    zero_gradient: bool  # some weight layer gets exactly zero gradient
    zero_gradient_layers: tuple[int, ...]
    loss_history: np.ndarray  # rows (step, batch loss): every step (thinned when long)
    metrics: np.ndarray  # rows (step, train_loss, test_loss, train_accuracy, test_accuracy)
    layer_stats: np.ndarray  # rows (step, *layer_stat_fields)
    layer_stat_fields: tuple[str, ...]  # grad_norm_1..L, then flat_1..L-1 (batch values)
    epoch: int
    batch_size: int  # rows per step actually used
    n_train: int
    n_test: int
    data_version: int


class GradientFlowReference(NamedTuple):
    """Another run's ‖∂E/∂W_l‖ per layer: rows (step, layer 1, ..., output layer)."""

    activation: str
    init: str
    rows: np.ndarray
    steps: int
    message: str = ""  # why it stopped early (a diverged run), else ""


@dataclass(frozen=True)
class DecisionMap:
    """Predictions on a grid; ``[i, j]`` is at y = y_values[i], x = x_values[j] (row-major, row = y).

    ``probability``: P(classes[1]) for two classes, the winning class's probability for more.
    ``label``: the index into ``classes`` of the predicted class."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    probability: np.ndarray
    label: np.ndarray
    classes: tuple[int, ...]


@dataclass(frozen=True)
class NeuronMaps:
    """Every unit's output over the plane, for the network diagram: ``layers[l]`` has shape
    (units, size, size), hidden layers first, the output probabilities last; ``levels[l]`` is a (lo, hi)
    colour range for each (the activation's range, or the data's for unbounded ones)."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    layers: tuple[np.ndarray, ...]
    levels: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class LossLandscape:
    """E on the plane θ + α·d1 + β·d2 through the current weights: ``loss[i, j]`` at β = betas[i],
    α = alphas[j]. ``path`` is the recorded trajectory projected onto the plane (least squares), with
    ``path_loss`` the true loss at those weights (off the plane it can differ from the surface)."""

    method: str  # "random" (filter-normalised, Li et al. 2018) or "pca" (of the trajectory)
    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    path: np.ndarray  # (m, 2)
    path_steps: np.ndarray  # (m,)
    path_loss: np.ndarray  # (m,)
    explained: tuple[float, float]  # PCA: share of the trajectory's variance along d1, d2; nan for random
    message: str = ""
    step: int = -1  # the training step of the weights it was computed at


@dataclass(frozen=True)
class GradientCheck:
    """The largest relative error between backprop's gradient and central differences (``gradient_check``)
    over ``n_params`` parameters, at step ``step``: all ``n_total`` of them on all ``n_rows`` training
    points, or in a big network a spread of parameters on a sample of points (0: all of them)."""

    max_relative_error: float
    n_params: int
    step: int
    eps: float
    n_total: int = 0
    n_rows: int = 0
    n_sampled_rows: int = 0

