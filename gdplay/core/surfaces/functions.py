"""The surfaces' maths: f(x, y), its gradient (∂f/∂x, ∂f/∂y) and its Hessian (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²)
in closed form, vectorised over arrays of points (broadcast); a typed formula differentiated symbolically."""

from __future__ import annotations

import math

import numpy as np

from gdplay.core.expression import Formula


class Function:
    """f, ∇f and the Hessian of f over arrays of points (broadcast)."""

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class Rosenbrock(Function):
    def value(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def gradient(self, x, y):
        r = y - x * x
        return -2 * (1 - x) - 400 * x * r, 200 * r

    def hessian(self, x, y):
        return 2 - 400 * y + 1200 * x * x, -400 * x + 0 * y, 200 + 0 * (x + y)


class Himmelblau(Function):
    def value(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def gradient(self, x, y):
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    def hessian(self, x, y):
        return 12 * x * x + 4 * y - 42, 4 * (x + y), 4 * x + 12 * y * y - 26


class Saddle(Function):
    def value(self, x, y):
        return x * x - y * y

    def gradient(self, x, y):
        return 2 * x + 0 * y, -2 * y + 0 * x

    def hessian(self, x, y):
        z = 0 * (x + y)
        return 2 + z, z, -2 + z


class MonkeySaddle(Function):
    def value(self, x, y):
        return x ** 3 - 3 * x * y * y

    def gradient(self, x, y):
        return 3 * x * x - 3 * y * y, -6 * x * y

    def hessian(self, x, y):
        return 6 * x + 0 * y, -6 * y + 0 * x, -6 * x + 0 * y


class SixHumpCamel(Function):
    def value(self, x, y):
        x2, y2 = x * x, y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    def gradient(self, x, y):
        x2 = x * x
        return 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y * y * y

    def hessian(self, x, y):
        x2 = x * x
        return 8 - 25.2 * x2 + 10 * x2 * x2 + 0 * y, 1 + 0 * (x + y), -8 + 48 * y * y + 0 * x


class Rastrigin(Function):
    A = 10.0

    def value(self, x, y):
        w = 2 * math.pi
        return 2 * self.A + x * x - self.A * np.cos(w * x) + y * y - self.A * np.cos(w * y)

    def gradient(self, x, y):
        w = 2 * math.pi
        return 2 * x + self.A * w * np.sin(w * x), 2 * y + self.A * w * np.sin(w * y)

    def hessian(self, x, y):
        w = 2 * math.pi
        return 2 + self.A * w * w * np.cos(w * x) + 0 * y, 0 * (x + y), 2 + self.A * w * w * np.cos(w * y) + 0 * x


class Beale(Function):
    """Σᵢ aᵢ² with aᵢ = cᵢ − x + x·yⁱ, i = 1, 2, 3 (powers as products: np.power is slow)."""

    C = (1.5, 2.25, 2.625)

    def value(self, x, y):
        y2 = y * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y
        return a1 * a1 + a2 * a2 + a3 * a3

    def gradient(self, x, y):
        y2 = y * y
        y3 = y2 * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        gx = 2 * (a1 * (y - 1) + a2 * (y2 - 1) + a3 * (y3 - 1))
        gy = 2 * x * (a1 + 2 * a2 * y + 3 * a3 * y2)
        return gx, gy

    def hessian(self, x, y):
        y2 = y * y
        y3 = y2 * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        ax1, ax2, ax3 = y - 1, y2 - 1, y3 - 1  # ∂aᵢ/∂x
        ay1, ay2, ay3 = x, 2 * x * y, 3 * x * y2  # ∂aᵢ/∂y
        hxx = 2 * (ax1 * ax1 + ax2 * ax2 + ax3 * ax3)
        hxy = 2 * (ay1 * ax1 + a1 + ay2 * ax2 + 2 * a2 * y + ay3 * ax3 + 3 * a3 * y2)
        hyy = 2 * (ay1 * ay1 + ay2 * ay2 + 2 * a2 * x + ay3 * ay3 + 6 * a3 * x * y)
        return hxx, hxy, hyy


class Typed(Function):
    """A formula you type, differentiated symbolically (gdplay.core.expression)."""

    def __init__(self, formula: Formula) -> None:
        self.formula = formula

    def value(self, x, y):
        return self.formula.value(x, y)

    def gradient(self, x, y):
        return self.formula.gradient(x, y)

    def hessian(self, x, y):
        return self.formula.hessian(x, y)
