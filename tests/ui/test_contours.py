"""Vectorised marching squares: points on the true level set, the same lines for many levels at once as
one at a time, chains that close around a loop."""

import numpy as np
import pytest

from gdplay.ui.plots.contours import iso_polylines


def grid(n=81):
    x = np.linspace(-2, 2, n)
    X, Y = np.meshgrid(x, x)  # rows = y
    return X, Y


@pytest.mark.parametrize("chain", [True, False])
def test_circle_points_lie_on_the_circle(chain):
    X, Y = grid()
    x, y, c = iso_polylines(X**2 + Y**2, 1.0, (-2, 2), (-2, 2), chain=chain)
    assert len(x) > 100
    assert np.abs(np.hypot(x, y) - 1.0).max() < 2e-3  # linear interpolation on a 0.05 grid
    if chain:  # one closed loop: a single run of connected points, first == last
        assert (c[:-1] == 1).all() and c[-1] == 0
        assert (x[0], y[0]) == pytest.approx((x[-1], y[-1]))


@pytest.mark.parametrize("chain", [True, False])
def test_many_levels_at_once_equal_one_at_a_time(chain):
    X, Y = grid(61)
    z = np.sin(2 * X) * np.cos(3 * Y) + 0.1 * X  # saddles and several loops
    z[5, 7] = np.nan
    levels = np.linspace(-0.9, 0.9, 13)

    def segments(x, y, c):
        out = set()
        for k in np.flatnonzero(c[:-1] == 1):
            a, b = (round(x[k], 9), round(y[k], 9)), (round(x[k + 1], 9), round(y[k + 1], 9))
            out.add((min(a, b), max(a, b)))
        return out

    together = segments(*iso_polylines(z, levels, (-2, 2), (-2, 2), chain=chain))
    apart = set()
    for level in levels:
        apart |= segments(*iso_polylines(z, level, (-2, 2), (-2, 2), chain=chain))
    assert together == apart and len(together) > 500


def test_no_crossing_gives_nothing():
    x, y, c = iso_polylines(np.zeros((10, 10)), [5.0, 6.0], (0, 1), (0, 1))
    assert len(x) == len(y) == len(c) == 0
