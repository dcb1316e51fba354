"""Seeded data generators for the playground's presets. Each returns ``(X, labels)`` with X of shape (n, 2)
and integer labels 0..k-1 (SVM code maps them to -1/+1). Randomness only through ``random_state``."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    """Two round Gaussian classes with independent noise: class 0 ~ N([-mean, -mean], variance·I), class 1 ~
    N([mean, mean], variance·I). (The SVM article's own draws are ``make_article_gaussian_pair``.)"""
    n_each = _check_count(n_each)
    rng = _rng(random_state)
    sd = np.sqrt(variance)
    neg = rng.normal([-mean, -mean], sd, size=(n_each, 2))
    pos = rng.normal([mean, mean], sd, size=(n_each, 2))
    return np.vstack([neg, pos]), np.repeat([0, 1], n_each)


def make_article_gaussian_pair(n_each: int = 50, mean: float = 5.0, variance: float = 5.0,
                               random_state: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The SVM article's (seed 003) data: class 0 ~ N([-mean, -mean], variance·I), class 1 ~ N([mean, mean],
    variance·I), drawn exactly as its code draws them: numpy's legacy global generator seeded with 0 before
    *each* class, then scipy's ``multivariate_normal.rvs`` (which draws through ``RandomState.multivariate_normal``),
    negatives first. So both classes share the same noise, shifted by 2·mean. ``RandomState(seed)`` gives the
    same numbers without touching the global generator; ``random_state`` replaces the article's seed 0.

    Experiment 1: ``n_each=50, variance=5``; experiment 2: ``n_each=150, variance=25`` (see ``seed_experiment``).
    """
    n_each = _check_count(n_each)
    seed = 0 if random_state is None else int(random_state)
    cov = variance * np.eye(2)
    neg = np.random.RandomState(seed).multivariate_normal([-mean, -mean], cov, size=n_each)
    pos = np.random.RandomState(seed).multivariate_normal([mean, mean], cov, size=n_each)
    return np.vstack([neg, pos]), np.repeat([0, 1], n_each)


def shuffle_split(n: int, test_size: float = 0.1, random_state: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows) exactly as scikit-learn's ``train_test_split(test_size=..., random_state=...)``
    picks them (its ShuffleSplit): n_test = ceil(test_size·n), one ``RandomState(random_state).permutation(n)``,
    the first n_test of it are the test rows and the rest, in that order, the training rows."""
    n = _check_count(n, 2)
    if not 0.0 < test_size < 1.0:
        raise ValidationError(f"The test fraction must be in (0, 1); got {test_size!r}.")
    n_test = math.ceil(test_size * n)
    perm = np.random.RandomState(int(random_state)).permutation(n)
    return perm[n_test:], perm[:n_test]


@dataclass(frozen=True)
class SeedExperiment:
    """One of the SVM article's experiments on its exact data. ``X`` holds the rows in the order the
    article trains on them (experiment 2: its ``X_tr`` then its ``X_te``), ``y`` ±1, ``test`` True for
    held-out rows; ``source_rows`` are each row's index in the article's generated ``X`` (negatives first)."""

    number: int
    X: np.ndarray
    y: np.ndarray
    test: np.ndarray
    source_rows: np.ndarray


def seed_experiment(number: int, random_state: int | None = 0) -> SeedExperiment:
    """Experiment 1: 50 + 50 points, N(±[5, 5], 5·I), all trained on. Experiment 2: 150 + 150 points,
    N(±[5, 5], 25·I), split 270/30 as the article's ``train_test_split(test_size=0.10, random_state=5)``.
    ``random_state`` replaces the article's generator seed 0 (the split keeps its 5)."""
    if number == 1:
        X, labels = make_article_gaussian_pair(50, 5.0, 5.0, random_state)
        rows = np.arange(len(X))
        test = np.zeros(len(X), dtype=bool)
    elif number == 2:
        X, labels = make_article_gaussian_pair(150, 5.0, 25.0, random_state)
        train, held = shuffle_split(len(X), 0.10, 5)
        rows = np.concatenate([train, held])
        test = np.r_[np.zeros(len(train), dtype=bool), np.ones(len(held), dtype=bool)]
    else:
        raise ValidationError(f"The article has experiments 1 and 2; got {number!r}.")
    return SeedExperiment(number, X[rows], np.where(labels[rows] == 1, 1.0, -1.0), test, rows)


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
