"""The shared surface view (gdplay.ui.plots.surface) that the Regression tab's cost surface and the Surfaces
tab are made of: each value at the centre of its pixel, the colour bar and contours following the levels
given, the value under the cursor, paths cut where they run off, clicks in data coordinates."""

import numpy as np
import pytest
from mouse import click
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gdplay.ui.plots.style import configure
from gdplay.ui.plots.surface import SurfaceView, pixel_rect, thin_to_pixels, value_at


@pytest.fixture
def view(qtbot):
    configure()
    v = SurfaceView("f", "x", "y", n_contours=5, colorbar_label="f")
    window = QWidget()  # as in a tab: a click the plot does not take goes on to its parent, quietly
    QVBoxLayout(window).addWidget(v.widget)
    qtbot.addWidget(window)
    window.resize(500, 400)
    window.show()
    qtbot.waitExposed(window)
    yield v  # (the window lives as long as the test)


def test_values_sit_at_the_centres_of_their_pixels():
    # 5 columns over x 0..4 and 3 rows over y 0..2: one unit a pixel, the first and last values on the edges
    r = pixel_rect((0.0, 4.0), (0.0, 2.0), (3, 5))
    assert (r.x(), r.y(), r.width(), r.height()) == (-0.5, -0.5, 5.0, 3.0)
    one = pixel_rect((1.0, 1.0), (2.0, 2.0), (1, 1))  # a single value: no division by zero
    assert (one.x(), one.y()) == (1.0, 2.0)


def test_value_at_is_the_nearest_grid_value_and_none_outside():
    values = np.arange(15.0).reshape(3, 5)  # rows: y = 0, 1, 2; columns: x = 0..4
    assert value_at(values, (0, 4), (0, 2), 3.2, 0.9) == values[1, 3]
    assert value_at(values, (0, 4), (0, 2), 0.0, 2.0) == values[2, 0]
    assert value_at(values, (0, 4), (0, 2), 4.6, 1.0) is None
    assert value_at(values, (0, 4), (0, 2), 1.0, -0.6) is None
    assert value_at(values, (1, 1), (0, 2), 1.0, 1.0) is None  # an empty range holds no value


def test_heatmap_shows_the_levels_given_and_clears(view):
    x = np.linspace(-1, 1, 41)
    X, Y = np.meshgrid(x, 2 * x)
    z = X**2 + Y**2
    view.heatmap.set(z, (0.0, 5.0), (-1, 1), (-2, 2), "f here")
    assert view.image.levels is not None and tuple(view.image.levels) == (0.0, 5.0)
    assert tuple(view.colorbar.levels()) == (0.0, 5.0)
    assert view.colorbar.getAxis("left").labelText == "f here"
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() == pytest.approx(-1 - 1 / 40) and rect.bottom() == pytest.approx(2 + 4 / 80)
    assert not view.contours.path().isEmpty()
    view.heatmap.clear()
    assert view.image.image is None and view.contours.path().isEmpty()


def test_paths_start_and_range(view):
    view.show_range((-1, 1), (-1, 1))
    view.user_zoomed = True
    view.show_range((-2, 2), (-1, 3))
    assert not view.user_zoomed  # a range set by the program forgets the user's zoom
    (x0, x1), (y0, y1) = view.ranges()
    assert (x0, x1, y0, y1) == pytest.approx((-2, 2, -1, 3))
    near = (np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.5, 1.0]))
    away = (np.array([0.0, 1.0, 1e200, 2.0]), np.array([0.0, -1.0, 1e200, 2.0]))  # runs off, comes back
    view.set_paths([near, away], (0.25, 0.5))
    assert list(view.start.getData()[0]) == [0.25] and list(view.start.getData()[1]) == [0.5]
    assert len(view.paths) == 2 and list(view.paths[0].getData()[0]) == [0.0, 0.5, 1.0]
    assert list(view.paths[1].getData()[0]) == [0.0, 1.0]  # cut where it left for 1e200, not drawn past
    assert view.runs.head(0) == (1.0, 1.0) and view.runs.head(1) == (1.0, -1.0)  # where each run is now
    view.set_paths([near], (0.0, 0.0))  # a run fewer: its path and head go
    assert view.paths[1].getData()[0] is None and view.runs.head(1) is None  # no data


def test_a_click_says_where_in_data_coordinates(view, qtbot):
    view.show_range((-2, 2), (-1, 3))
    with qtbot.waitSignal(view.clicked) as got:
        click(qtbot, view.widget, 0.5, 1.5)
    x, y = got.args
    assert x == pytest.approx(0.5, abs=0.05) and y == pytest.approx(1.5, abs=0.05)


def test_a_path_is_thinned_to_what_the_pixels_show():
    settle = np.linspace(0, 1, 1000)  # a run creeping 1/1000 of a pixel a step, then a jump
    xs, ys = np.concatenate([settle * 0.5, [5.0]]), np.zeros(1001)
    tx, _ = thin_to_pixels(xs, ys, (1.0, 1.0))
    assert tx[0] == 0.0 and tx[-1] == 5.0 and len(tx) <= 4  # the first, the last, the pixel crossed
    zig = np.array([0.0, 3.0, 0.0, 3.0, 0.0]), np.array([0.0, 1.0, 2.0, 3.0, 4.0])  # steps over pixels: all kept
    assert thin_to_pixels(*zig, (1.0, 1.0))[0].tolist() == zig[0].tolist()
    # every kept point is within a pixel of the path it stands for
    rng = np.random.default_rng(1)
    wx, wy = np.cumsum(rng.normal(0, 0.3, 500)), np.cumsum(rng.normal(0, 0.3, 500))
    kx, ky = thin_to_pixels(wx, wy, (1.0, 1.0))
    assert len(kx) < len(wx)
    for x, y in zip(wx, wy):
        assert np.min(np.maximum(np.abs(kx - x), np.abs(ky - y))) < 1.0  # in the pixel of a kept point


def test_a_run_creeping_within_a_pixel_is_not_drawn_again_but_its_head_moves(view):
    view.show_range((0, 10), (0, 10))
    _, py = view.plot.getViewBox().viewPixelSize()
    xs, ys = np.linspace(1, 5, 200), np.linspace(1, 5, 200)  # 200 iterates: no dots
    xs = np.concatenate([xs, np.full(200, 5.0)])  # then 200 more that creep within 1/1000 of a pixel
    ys = np.concatenate([ys, 5.0 + np.linspace(0, 1e-3 * py, 200)])
    view.set_paths([(xs[:-1], ys[:-1])], (1.0, 1.0))
    drawn = view.paths[0].getData()
    view.set_paths([(xs, ys)], (1.0, 1.0))
    assert view.paths[0].getData()[0] is drawn[0]  # the same picture: not set again
    assert view.runs.head(0) == (xs[-1], ys[-1])  # where the run is now, exactly
    ys2 = np.append(ys, 5.0 + 3 * py)  # a step into the next pixel but one: drawn
    view.set_paths([(np.append(xs, 5.0), ys2)], (1.0, 1.0))
    assert view.paths[0].getData()[1][-1] == ys2[-1]
