"""Seeded data generators for the playground's presets. Each returns ``(X, labels)`` with X of shape (n, 2)
and integer labels 0..k-1 (SVM code maps them to -1/+1). Randomness only through ``random_state``."""

from __future__ import annotations

import numpy as np

from gdplay.core.trainer import ValidationError


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    return random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)


def _check_count(n: int, minimum: int = 1) -> int:
    if int(n) != n or n < minimum:
        raise ValidationError(f"The number of points must be an integer >= {minimum}; got {n!r}.")
    return int(n)


def make_gaussian_pair(n_each: int = 50, mean: float = 5.0, variance: float = 5.0,
                       random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The SVM seed's experiments: class 0 ~ N([-mean, -mean], variance·I), class 1 ~ N([mean, mean], variance·I).

    Experiment 1: ``n_each=50, variance=5``; experiment 2: ``n_each=150, variance=25``.
    """
    n_each = _check_count(n_each)
    rng = _rng(random_state)
    sd = np.sqrt(variance)
    neg = rng.normal([-mean, -mean], sd, size=(n_each, 2))
    pos = rng.normal([mean, mean], sd, size=(n_each, 2))
    return np.vstack([neg, pos]), np.repeat([0, 1], n_each)


def make_blobs(n: int = 200, n_classes: int = 2, noise: float = 0.5,
               random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Round clusters with centres evenly spaced on a circle of radius 2."""
    n = _check_count(n, n_classes)
    rng = _rng(random_state)
    labels = np.arange(n) % n_classes
    angle = 2 * np.pi * labels / n_classes + np.pi / 4
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + rng.normal(0.0, noise, size=(n, 2)), labels


def make_xor(n: int = 200, noise: float = 0.2,
             random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants; the class is whether x1 and x2 have the same sign."""
    n = _check_count(n)
    rng = _rng(random_state)
    X = rng.uniform(-3, 3, size=(n, 2))
    X += np.sign(X) * 0.3  # a small gap around the axes
    labels = (X[:, 0] * X[:, 1] < 0).astype(int)
    return X + rng.normal(0.0, noise, size=X.shape), labels


def make_circles(n: int = 200, noise: float = 0.1, factor: float = 0.5,
                 random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """An inner disc (class 1) inside an outer ring (class 0), radius 2."""
    n = _check_count(n, 2)
    rng = _rng(random_state)
    labels = np.arange(n) % 2
    radius = np.where(labels == 1, rng.uniform(0, factor, n), rng.uniform(0.75, 1.0, n)) * 2.0
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X + rng.normal(0.0, noise * 2.0, size=X.shape), labels


def make_moons(n: int = 200, noise: float = 0.1,
               random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, scaled to about [-2.5, 2.5]."""
    n = _check_count(n, 2)
    rng = _rng(random_state)
    labels = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    X = np.where(labels[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    X = (X - [0.5, 0.25]) * 2.0
    return X + rng.normal(0.0, noise * 2.0, size=X.shape), labels


def make_spiral(n: int = 300, n_classes: int = 2, noise: float = 0.1,
                random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class, radius up to ~3."""
    n = _check_count(n, n_classes)
    rng = _rng(random_state)
    labels = np.arange(n) % n_classes
    r = rng.uniform(0.1, 1.0, n)
    angle = 1.75 * 2 * np.pi * r + 2 * np.pi * labels / n_classes
    X = 3.0 * np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    return X + rng.normal(0.0, noise, size=X.shape), labels


def make_line(n: int = 50, slope: float = 1.5, intercept: float = 1.0, noise: float = 1.0,
              x_range: tuple[float, float] = (0.0, 10.0),
              random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression data y = slope·x + intercept + N(0, noise²); returns (x, y)."""
    n = _check_count(n)
    rng = _rng(random_state)
    x = rng.uniform(*x_range, n)
    return x, slope * x + intercept + rng.normal(0.0, noise, n)


def train_test_split(n: int, test_fraction: float = 0.1,
                     random_state: int | np.random.Generator | None = 0) -> np.ndarray:
    """A boolean mask, True for the held-out test rows (round(n·test_fraction) of them)."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValidationError(f"The test fraction must be in [0, 1); got {test_fraction!r}.")
    rng = _rng(random_state)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: round(n * test_fraction)]] = True
    return mask
