"""A model that is not linear in its weight: y = sin(w·x), fitted to the user's own points.

Least squares on it is not a bowl:

    E(w) = (1/N) Σ (y_i − sin(w x_i))²,    E'(w) = −(2/N) Σ (y_i − sin(w x_i)) · x_i cos(w x_i)

Every frequency w that lines the sine up with part of the data is a dip of its own, so J(w) has many local
minima and gradient descent stops in whichever one is below its start (the closing remark of Nedrich's
article on convexity). No closed form gives the best w: it is found on a fine grid over a window of
frequencies the data can tell apart, then polished by Newton's method, and called the global minimum *of that
window*. The cost needs the points themselves (no sufficient statistics), so a step costs O(N).
"""

from __future__ import annotations

import math

import numpy as np

GRID = 4001  # frequencies tried for the best w
CHUNK = 1 << 21  # elements of a (w, point) block at a time, so J(w) over many points stays small in memory


class SineCost:
    """E(w) for y = sin(w·x) on points (x, y); the mean (or with ``sse`` the sum) of squared errors. Offers
    what the regression trainer asks of a cost: ``cost``, ``gradient``, ``minimizer`` and, for its views,
    ``curve``, ``predict`` and ``batch``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, sse: bool = False) -> None:
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.n = len(self.x)
        self.factor = float(self.n) if sse else 1.0

    def window(self) -> tuple[float, float]:
        """Frequencies from −w_max to w_max, w_max giving ten periods across the largest |x|: beyond that
        a sine only aliases one already in the window."""
        reach = float(np.max(np.abs(self.x))) if self.n else 1.0
        w_max = 20 * math.pi / reach if reach > 0 else 1.0
        return -w_max, w_max

    def cost(self, theta: np.ndarray) -> float:
        r = self.y - np.sin(float(theta[0]) * self.x)
        return float(r @ r) / max(self.n, 1) * self.factor

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        w = float(theta[0])
        r = self.y - np.sin(w * self.x)
        return np.array([-2.0 * float(r @ (self.x * np.cos(w * self.x))) / max(self.n, 1) * self.factor])

    def second_derivative(self, w: float) -> float:
        """E''(w) = (2/N) Σ x_i² (cos²(w x_i) + (y_i − sin(w x_i)) sin(w x_i))."""
        s, c = np.sin(w * self.x), np.cos(w * self.x)
        return 2.0 * float(np.sum(self.x**2 * (c * c + (self.y - s) * s))) / max(self.n, 1) * self.factor

    def batch(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """The gradient and cost on some of the points (a mini-batch, or one point for SGD)."""
        w = float(theta[0])
        r = y - np.sin(w * x)
        grad = -2.0 * float(r @ (x * np.cos(w * x))) / len(x) * self.factor
        return np.array([grad]), float(r @ r) / len(x) * self.factor

    def curve(self, w: np.ndarray) -> np.ndarray:
        """E at each w, in blocks of points so memory stays bounded."""
        w = np.asarray(w, dtype=float)
        out = np.zeros(len(w))
        step = max(1, CHUNK // max(len(w), 1))
        for s in range(0, self.n, step):
            xs, ys = self.x[s:s + step], self.y[s:s + step]
            r = ys[None, :] - np.sin(w[:, None] * xs[None, :])
            out += np.einsum("ij,ij->i", r, r)
        return out / max(self.n, 1) * self.factor

    def predict(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.sin(float(theta[0]) * np.asarray(x, dtype=float))

    def minimizer(self) -> tuple[np.ndarray, bool]:
        """The best w of the window: the lowest of a fine grid, polished by Newton's method (or bisection on
        E' where the curvature is not positive). ``unique`` is False when another dip is as low."""
        ws = np.linspace(*self.window(), GRID)
        z = self.curve(ws)
        k = int(np.argmin(z))
        w = float(ws[k])
        h = ws[1] - ws[0]
        lo, hi = w - h, w + h
        for _ in range(60):
            g = float(self.gradient(np.array([w]))[0])
            curv = self.second_derivative(w)
            nxt = w - g / curv if curv > 0 else w
            if not lo <= nxt <= hi or curv <= 0:
                nxt = 0.5 * (lo + hi)
                if float(self.gradient(np.array([nxt]))[0]) > 0:
                    hi = nxt
                else:
                    lo = nxt
            if abs(nxt - w) <= 1e-13 * max(1.0, abs(w)):
                w = nxt
                break
            w = nxt
        best = self.cost(np.array([w]))
        far = np.abs(ws - w) > 2 * h  # another dip as low as this one

        unique = not bool(np.any(z[far] <= best * (1 + 1e-9) + 1e-15))
        return np.array([w]), unique
