"""The pictures the Neural network tab asks for, as functions of a trainer: ``view(trainer, *args)`` runs in the
training process, with every snapshot (a view) or once (a request). With no network to evaluate (no points,
one class) each raises NotReady with the trainer's own sentence, which the tab shows instead of a picture."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gdplay.core.activations import ACTIVATIONS, sigmoid
from gdplay.core.network.mlp import MLP, gradient_check
from gdplay.core.network.results import DecisionMap, GradientCheck, GradientFlowReference, LossLandscape, NeuronMaps
from gdplay.core.network.trainer import NetworkTrainer
from gdplay.core.trainer import NotReady, ValidationError, frozen

MAP_CHUNK = 8192  # grid rows per forward pass in decision_map


def _require_net(trainer: NetworkTrainer) -> MLP:
    """The trainer's network, or NotReady with its message (no points yet, one class, all held out)."""
    if trainer.net_ is None:
        raise NotReady(trainer.message or "There is no network to evaluate yet.")
    return trainer.net_


def decision_map(trainer: NetworkTrainer, x_range: tuple[float, float], y_range: tuple[float, float],
                 shape: tuple[int, int] = (100, 100)) -> DecisionMap:
    """The classifier over a grid of the plane (float32)."""
    net = _require_net(trainer)
    h, w = shape
    F = trainer.grid_features(x_range, y_range, shape)
    z = np.empty((len(F), net.layer_sizes[-1]), dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        # chunks of rows that stay in cache and below BLAS's threading threshold: a 200x200 grid in one
        # go is 2-20x slower on a busy 2-core machine
        for s in range(0, len(F), MAP_CHUNK):
            z[s : s + MAP_CHUNK] = net.logits(trainer._P, F[s : s + MAP_CHUNK])
        if net.softmax_output:
            prob = net.output(z)
            label = prob.argmax(axis=1)
            p = prob.max(axis=1)
        else:
            p = sigmoid(z[:, 0])
            label = (z[:, 0] >= 0).astype(np.intp)
    label = label.reshape(h, w).astype(np.int8)  # <= 127 classes: an eighth of the bytes to send per frame
    return DecisionMap(tuple(x_range), tuple(y_range), frozen(p.reshape(h, w)), frozen(label),
                       tuple(int(c) for c in trainer.classes_))


def neuron_maps(trainer: NetworkTrainer, x_range: tuple[float, float], y_range: tuple[float, float],
                size: int = 24) -> NeuronMaps:
    """Each hidden unit's a_l and the output probabilities over a size x size grid."""
    net = _require_net(trainer)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        outs = net.forward(trainer._P, trainer.grid_features(x_range, y_range, (size, size)))
        outs[-1] = net.output(outs[-1])
    layers, levels = [], []
    act = ACTIVATIONS[trainer.params.activation]
    for i, a in enumerate(outs[1:]):
        layers.append(frozen(a.T.reshape(a.shape[1], size, size)))
        lo, hi = (0.0, 1.0) if i == len(outs) - 2 else act.range
        if not (math.isfinite(lo) and math.isfinite(hi)):
            lo, hi = float(a.min()), float(a.max())
            hi = hi if hi > lo else lo + 1.0
        levels.append((float(lo), float(hi)))
    return NeuronMaps(tuple(x_range), tuple(y_range), tuple(layers), tuple(levels))


def _random_directions(trainer: NetworkTrainer, seed: int) -> np.ndarray:
    """Two filter-normalised random directions: per unit (column of W_l) the direction has the norm of
    that unit's incoming weights; biases get 0 (Li et al., "Visualizing the loss landscape", 2018)."""
    net = trainer.net_
    rng = np.random.default_rng([trainer.params.seed, 2, seed])
    dirs = np.zeros((2, net.n_params))
    for d in dirs:
        r = rng.standard_normal(net.n_params)
        for s, shape in zip(net.weight_slices, net.weight_shapes):
            Rd = r[s].reshape(shape)
            Wt = trainer.theta_[s].reshape(shape)
            scale = np.linalg.norm(Wt, axis=0) / np.linalg.norm(Rd, axis=0)
            scale[scale == 0] = 1.0 / np.sqrt(shape[0])  # zero weights: a unit-norm column instead
            d[s] = (Rd * scale).ravel()
    return dirs


# one errstate for all of it: after divergence the weights may be finite but near overflow, and their
# norms, projections and losses overflow (an inf total falls back to random directions, inf losses show)
@np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
def loss_landscape(trainer: NetworkTrainer, method: str = "random", shape: tuple[int, int] = (31, 31),
                   span: float = 1.0,
                   seed: int = 0) -> LossLandscape:
    """E over a 2-D slice through the current weights (training rows, l2 included).

    ``random``: filter-normalised random directions, α, β in [-span, span] (widened to hold the path).
    ``pca``: the top two principal directions of the recorded trajectory about the current weights;
    the grid spans the projected path with a margin."""
    net = _require_net(trainer)
    if method not in ("random", "pca"):
        raise ValidationError(f"The landscape method must be 'random' or 'pca'; got {method!r}.")
    tr = trainer.trajectory_
    steps = tr.steps[: tr.n].copy()
    thetas = tr.thetas[: tr.n]
    if not len(steps) or steps[-1] != trainer.n_iter_:
        steps = np.append(steps, trainer.n_iter_)
        thetas = np.vstack([thetas, trainer.theta_])
    keep = np.isfinite(thetas).all(axis=1)  # a diverging run may have recorded blown-up weights
    steps, thetas = steps[keep], thetas[keep]
    rel = thetas - trainer.theta_
    keep = np.isfinite(rel).all(axis=1)
    steps, thetas, rel = steps[keep], thetas[keep], rel[keep]
    message = ""
    explained = (math.nan, math.nan)
    if method == "pca":
        try:
            _, sv, vt = np.linalg.svd(rel, full_matrices=False)
        except np.linalg.LinAlgError:
            sv, vt = np.zeros(0), None
        total = float((sv**2).sum())
        if not math.isfinite(total) or len(steps) < 3 or len(sv) < 2 or total == 0.0 or sv[1] <= 1e-12 * sv[0]:
            message = "The path is too short (or straight) for two principal directions; showing random ones."
            method = "random"
        else:
            dirs = vt[:2]
            explained = (float(sv[0] ** 2 / total), float(sv[1] ** 2 / total))
    if method == "random":
        dirs = _random_directions(trainer, seed)
    gram = dirs @ dirs.T
    try:
        coords = np.linalg.lstsq(gram, dirs @ rel.T, rcond=None)[0].T  # (m, 2) least-squares projection
    except np.linalg.LinAlgError:
        coords = np.zeros((len(rel), 2))
    reach = np.abs(coords).max(axis=0) * 1.2 if len(coords) else np.zeros(2)
    if method == "random":
        half = np.maximum(reach, span)
    else:
        half = np.where(reach > 0, reach, span)
    h, w = shape
    alphas = np.linspace(-half[0], half[0], w)
    betas = np.linspace(-half[1], half[1], h)
    # row-major: grid row i*w + j is θ + α_j d1 + β_i d2
    grid = trainer.theta_ + np.tile(alphas, h)[:, None] * dirs[0] + np.repeat(betas, w)[:, None] * dirs[1]
    loss = net.loss_values(grid, trainer._Ftr, trainer._Ttr).reshape(h, w)
    path_loss = net.loss_values(thetas, trainer._Ftr, trainer._Ttr)
    return LossLandscape(method, frozen(alphas), frozen(betas), frozen(loss), frozen(coords),
                         frozen(steps), frozen(path_loss), explained, message, step=trainer.n_iter_)


def reference_gradient_flow(trainer: NetworkTrainer, activation: str, init: str, steps: int) -> GradientFlowReference:
    """The same network, data and settings trained from scratch with another activation and
    initialisation for ``steps`` steps: its per-layer gradient norms, to draw next to this run's (the
    vanishing-gradient lesson compares sigmoid and ReLU on one screen)."""
    _require_net(trainer)
    other = NetworkTrainer(replace(trainer.params, activation=activation, init=init),
                           history_capacity=trainer.history_capacity, eval_every=trainer.eval_every)
    other.set_data(trainer._X, trainer._labels, test_mask=trainer._test_mask)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        while other.status.can_step and other.n_iter_ < steps:
            if other.step(min(500, steps - other.n_iter_)) == 0:
                break
    snap = other.snapshot()
    L = len(snap.layer_sizes) - 1 if snap.layer_sizes else 0
    rows = snap.layer_stats[:, : 1 + L] if L else np.empty((0, 1))
    return GradientFlowReference(activation, init, frozen(np.array(rows)), snap.step,
                                 snap.message if snap.step < steps else "")


def predicted_class(trainer: NetworkTrainer, X: np.ndarray) -> np.ndarray:
    """The index into ``classes_`` of the predicted class of each point (n, 2)."""
    _require_net(trainer)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return np.asarray(trainer.predict_proba(X).argmax(axis=1))


def check_gradient(trainer: NetworkTrainer, eps: float = 1e-5) -> GradientCheck:
    """Backprop's gradient against central differences at the current weights (see gradient_check)."""
    net = _require_net(trainer)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        err = gradient_check(trainer, eps=eps)
    return GradientCheck(err, net.n_params, trainer.n_iter_, eps)
