"""The SVM tab's data presets: the seed's two experiments plus circles, moons and XOR, each with the model
settings that suit it. Point labels in the editor: 0 = class −1, 1 = class +1; 2 and 3 are the same classes
held out for testing (drawn hollow, never trained on)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdplay.core import datasets

NEG, POS, NEG_TEST, POS_TEST = 0, 1, 2, 3


def signed_labels(labels: np.ndarray) -> np.ndarray:
    """Editor labels -> ±1 (0 and 2 are class −1, 1 and 3 class +1)."""
    return np.where(np.asarray(labels) % 2 == 1, 1.0, -1.0)


def held_out_mask(labels: np.ndarray) -> np.ndarray:
    return np.asarray(labels) >= 2


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    tip: str
    kernel: str
    C: float
    sigma2: float = 1.0  # RBF width as σ² with γ = 1/σ² (the seed's code convention)

    def make(self, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """(xy, editor labels) for this preset and seed."""
        if self.key in ("exp1", "exp2"):
            # the article's own points (seed 0 is the article's; another seed replaces its generator seed),
            # in the order it trains on them, its test split held out
            exp = datasets.seed_experiment(1 if self.key == "exp1" else 2, random_state=seed)
            X = exp.X
            labels = (exp.y > 0).astype(np.int64) + 2 * exp.test
        elif self.key == "circles":
            X, labels = datasets.make_circles(200, noise=0.1, random_state=seed)
        elif self.key == "moons":
            X, labels = datasets.make_moons(200, noise=0.12, random_state=seed)
        else:
            X, labels = datasets.make_xor(200, noise=0.25, random_state=seed)
        return X, labels.astype(np.int64)


PRESETS = (
    Preset("exp1", "Experiment 1: N([−5,−5], 5I) vs N([5,5], 5I), 50 each",
           "The SVM intro's linearly separable case on its exact points (seed 0): a linear SVM with C = 1 "
           "finds a wide margin held by 3 support vectors; the article prints w = (0.36172799, 0.22875099), "
           "b = −0.22133232.", "linear", 1.0),
    Preset("exp2", "Experiment 2: N([−5,−5], 25I) vs N([5,5], 25I), 150 each, 10 % test",
           "The SVM intro's overlapping case on its exact points (seed 0): RBF kernel with σ² = 25 (γ = 1/σ² = "
           "0.04 as in its code), C = 1; its 30 test points held out (hollow). The article prints train "
           "93.704 %, test 90.000 %.", "rbf", 1.0, 25.0),
    Preset("circles", "Circles: a disc inside a ring",
           "Not linearly separable: try the linear kernel, then RBF or a degree-2 polynomial.", "rbf", 10.0, 1.0),
    Preset("moons", "Moons: two interleaving half circles",
           "A curved boundary: RBF; drag the width to see under- and overfitting.", "rbf", 10.0, 1.0),
    Preset("xor", "XOR: four quadrants",
           "The classic case no line can separate: RBF, or a polynomial of degree 2.", "rbf", 10.0, 2.0),
)


def preset(key: str) -> Preset:
    for p in PRESETS:
        if p.key == key:
            return p
    raise KeyError(key)
