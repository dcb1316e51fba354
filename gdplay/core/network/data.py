"""The Neural network tab's data: the generated data sets by preset name, and which points are held out for
testing (a seeded split that stays put as points are added)."""

from __future__ import annotations

import numpy as np

from gdplay.core import datasets

DATASETS: tuple[str, ...] = ("xor", "blobs", "circles", "moons", "spiral", "gaussian_pair")


def make_dataset(name: str, n: int, noise: float, seed: int, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(xy (n, 2), labels 0..k-1) of the data set ``name`` (one of DATASETS). Blobs and the spiral take
    ``n_classes``; the others have two classes."""
    if name == "xor":
        return datasets.make_xor(n, noise, seed)
    if name == "blobs":
        return datasets.make_blobs(max(n, n_classes), n_classes, noise, seed)
    if name == "circles":
        return datasets.make_circles(n, noise, random_state=seed)
    if name == "moons":
        return datasets.make_moons(n, noise, seed)
    if name == "spiral":
        return datasets.make_spiral(max(n, n_classes), n_classes, noise, seed)
    if name == "gaussian_pair":
        # the SVM intro's two Gaussian blobs, N([±5, ±5], σ² I), drawn as it draws them (seed 0, 100 points,
        # noise 0.5 = its σ² = 5: its experiment 1's exact points)
        return datasets.make_article_gaussian_pair(max(n // 2, 1), 5.0, max(10.0 * noise, 1e-6), seed)
    raise KeyError(name)


def held_out_mask(n: int, fraction: float, seed: int) -> np.ndarray:
    """Held-out rows: the round(n·fraction) points with the smallest of a seeded uniform draw. The draw's
    first n values do not depend on n, so adding a point changes at most one or two memberships."""
    mask = np.zeros(n, dtype=bool)
    m = round(n * fraction)
    if m and n:
        u = np.random.default_rng([seed, 7]).random(n)
        mask[np.argsort(u, kind="stable")[:m]] = True
    return mask
