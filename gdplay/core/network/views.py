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


def _pair(r: tuple[float, float]) -> tuple[float, float]:
    return float(r[0]), float(r[1])


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
    return DecisionMap(_pair(x_range), _pair(y_range), frozen(p.reshape(h, w)), frozen(label),
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
    return NeuronMaps(_pair(x_range), _pair(y_range), tuple(layers), tuple(levels))


def _random_directions(trainer: NetworkTrainer, seed: int) -> np.ndarray:
    """Two filter-normalised random directions: per unit (column of W_l) the direction has the norm of
    that unit's incoming weights; biases get 0 (Li et al., "Visualizing the loss landscape", 2018)."""
    net = _require_net(trainer)
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


LANDSCAPE_WORK = 3e8  # multiply-adds a landscape may take (~0.1-0.3 s, training waits meanwhile)
MIN_LANDSCAPE_SIDE = 15
MIN_LANDSCAPE_ROWS = 64


def _landscape_work(trainer: NetworkTrainer, shape: tuple[int, int], n_path: int, max_work: float
                    ) -> tuple[tuple[int, int], tuple[np.ndarray, np.ndarray], str]:
    """The grid shape and training rows (features, targets) of a landscape within ``max_work``: each loss
    costs about rows x weights multiply-adds; first the grid gets coarser (to MIN_LANDSCAPE_SIDE), then a
    seeded sample of the rows is taken (the same one each time, so landscapes stay comparable)."""
    net = trainer.net_
    assert net is not None
    F, T = trainer._Ftr, trainer._Ttr
    h, w = (int(v) for v in shape)
    n = len(F)

    def work(h: int, w: int, rows: int) -> float:
        return float(h * w + n_path) * rows * net.n_weights

    if work(h, w, n) <= max_work:
        return (h, w), (F, T), ""
    f = math.sqrt(max(max_work / work(h, w, n) - n_path / (h * w), 0.0))
    h2, w2 = max(min(h, MIN_LANDSCAPE_SIDE), round(h * f)), max(min(w, MIN_LANDSCAPE_SIDE), round(w * f))
    rows = n
    if work(h2, w2, n) > max_work:
        rows = max(min(n, MIN_LANDSCAPE_ROWS), int(max_work / work(h2, w2, 1)))
        pick = np.sort(np.random.default_rng([trainer.params.seed, 3]).permutation(n)[:rows])
        F, T = F[pick], T[pick]
    where = f" over {rows:,} of the {n:,} training points" if rows < n else ""
    note = f"A big network: a {h2}×{w2} grid{where}, to keep training going."
    return (h2, w2), (F, T), note


# one errstate for all of it: after divergence the weights may be finite but near overflow, and their
# norms, projections and losses overflow (an inf total falls back to random directions, inf losses show)
@np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
def loss_landscape(trainer: NetworkTrainer, method: str = "random", shape: tuple[int, int] = (31, 31),
                   span: float = 1.0, seed: int = 0, max_work: float = LANDSCAPE_WORK) -> LossLandscape:
    """E over a 2-D slice through the current weights (training rows, l2 included).

    ``random``: filter-normalised random directions, α, β in [-span, span] (widened to hold the path).
    ``pca``: the top two principal directions of the recorded trajectory about the current weights;
    the grid spans the projected path with a margin.

    It is computed in the training process between steps, so its cost is bounded: beyond ``max_work``
    multiply-adds (a big network on many points) the grid is coarser and then the loss is taken over a
    fixed sample of the training points; the message says so."""
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
            sv, vt = np.zeros(0), np.zeros((0, rel.shape[1]))
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
    (h, w), (F, T), note = _landscape_work(trainer, shape, len(thetas), max_work)
    message = " ".join(m for m in (message, note) if m)
    alphas = np.linspace(-half[0], half[0], w)
    betas = np.linspace(-half[1], half[1], h)
    # row-major: grid row i*w + j is θ + α_j d1 + β_i d2
    grid = trainer.theta_ + np.tile(alphas, h)[:, None] * dirs[0] + np.repeat(betas, w)[:, None] * dirs[1]
    loss = net.loss_values(grid, F, T).reshape(h, w)
    path_loss = net.loss_values(thetas, F, T)
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


CHECK_WORK = 3e8  # multiply-adds a gradient check may take (two losses per parameter checked)
MIN_CHECKED = 64  # parameters checked at least, spread evenly over the flat vector (every layer's share)


def check_gradient(trainer: NetworkTrainer, eps: float = 1e-5, max_work: float = CHECK_WORK) -> GradientCheck:
    """Backprop's gradient against central differences at the current weights (see gradient_check). In a
    big network on many points (beyond ``max_work`` multiply-adds) it checks an even spread of the
    parameters, then on a seeded sample of the training points: training waits while it runs."""
    net = _require_net(trainer)
    X, T = trainer._Ftr, trainer._Ttr
    n, p = len(X), net.n_params
    indices = np.arange(p)
    per_loss = float(net.n_weights)
    if 2 * p * n * per_loss > max_work:
        k = max(min(p, MIN_CHECKED), min(p, int(max_work / (2 * n * per_loss))))
        indices = np.unique(np.linspace(0, p - 1, k).round().astype(np.intp))
        rows = max(1, min(n, int(max_work / (2 * len(indices) * per_loss))))
        if rows < n:
            pick = np.sort(np.random.default_rng([trainer.params.seed, 4]).permutation(n)[:rows])
            X, T = X[pick], T[pick]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        err = gradient_check(trainer, X, T, eps=eps, indices=indices)
    return GradientCheck(err, len(indices), trainer.n_iter_, eps, n_total=p, n_rows=n,
                         n_sampled_rows=len(X) if len(X) < n else 0)
