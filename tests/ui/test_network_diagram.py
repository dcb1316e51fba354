"""The network diagram at every size the controls allow: a big network is drawn with its strongest weights
and coarser unit pictures, and says so; the unit pictures are asked for when the diagram is due, not with
every snapshot."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from test_network_tab import make_tab

from gdplay.core.datasets import make_xor
from gdplay.core.network import FEATURES, MAX_HIDDEN_LAYERS, MAX_UNITS, NetworkParams, NetworkTrainer, views
from gdplay.ui.network.diagram import COARSE_MAP_SIZE, MAP_SIZE, MAX_EDGES_DRAWN, NetworkDiagram, map_size, strongest


def trained(hidden, features=("x1", "x2")) -> NetworkTrainer:
    t = NetworkTrainer(NetworkParams(hidden=hidden, features=features, max_steps=10**6))
    t.set_data(*make_xor(200, random_state=0))
    t.step(5)
    return t


def draw(qtbot, trainer: NetworkTrainer) -> NetworkDiagram:
    d = NetworkDiagram()
    qtbot.addWidget(d)
    d.resize(500, 400)
    d.show()
    snap = trainer.snapshot()
    d.set_structure(snap.layer_sizes, snap.features)
    d.set_values(snap.coefs, snap.intercepts)
    d.set_maps(views.neuron_maps(trainer, (-3, 3), (-3, 3), map_size(snap.layer_sizes)))
    return d


def test_a_small_network_is_drawn_whole(qtbot):
    d = draw(qtbot, trained((8, 8)))
    assert d.edges_drawn == len(d._segments) == 2 * 8 + 8 * 8 + 8
    assert d.map_size == MAP_SIZE
    assert d.note.text() == "" and not d.note.isVisible()
    assert all(c.drawn for c in d.columns)


def test_the_largest_network_shows_its_strongest_weights_and_coarser_pictures_and_says_so(qtbot):
    t = trained((MAX_UNITS,) * MAX_HIDDEN_LAYERS, FEATURES)
    d = draw(qtbot, t)
    total = len(FEATURES) * MAX_UNITS + (MAX_HIDDEN_LAYERS - 1) * MAX_UNITS**2 + MAX_UNITS
    assert len(d._segments) == total
    assert d.edges_drawn <= MAX_EDGES_DRAWN + 8 * MAX_HIDDEN_LAYERS < total
    assert d.map_size == COARSE_MAP_SIZE < MAP_SIZE
    assert f"strongest {d.edges_drawn:,} of {total:,} weights" in d.note.text()
    assert f"{COARSE_MAP_SIZE}×{COARSE_MAP_SIZE}" in d.note.text() and "coarser" in d.note.text()
    assert d.note.isVisible() and all(c.drawn for c in d.columns)
    # every weight can still be hovered, drawn or not
    li, i, j = d._edge_ids[-1]
    seg = d._segments[-1]
    assert d.describe(QPointF(*((seg[0] + seg[1]) / 2))).startswith(f"weight W{li + 1}[{i + 1}, {j + 1}]")


def test_strongest_keeps_the_largest_weights_of_each_layer():
    rng = np.random.default_rng(0)
    coefs = [rng.normal(size=(7, 32)), rng.normal(size=(32, 32)) * 10, rng.normal(size=(32, 1))]
    keep = strongest(coefs, budget=100)
    flat = np.concatenate([W.ravel() for W in coefs])
    start = 0
    for W in coefs:
        part, mag = keep[start : start + W.size], np.abs(W.ravel())
        assert part.sum() >= min(8, W.size)  # every layer keeps some, however small its weights
        assert mag[part].min() >= mag[~part].max(initial=0)  # and they are its strongest
        start += W.size
    assert keep.sum() <= 100 + 8 * len(coefs) and len(keep) == len(flat)
    assert strongest(coefs, budget=10_000).all()


@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()


def test_unit_pictures_are_asked_for_when_the_diagram_is_due_not_with_every_snapshot(qtbot, tab):
    assert "neurons" not in tab.controller.views  # no longer a view computed with every snapshot
    tab.controller.set_rate(None)
    tab.controller.play()
    snaps = []
    tab.controller.snapshotReady.connect(snaps.append)
    draws0, asked0 = tab.diagram_draws, tab.neuron_map_requests
    # the diagram is drawn ten times a second at most: the snapshots outnumber its draws (slowly on a busy
    # machine, where frames are fewer; never if it were drawn with every snapshot)
    qtbot.waitUntil(lambda: tab.diagram_draws - draws0 >= 3 and len(snaps) > 2 * (tab.diagram_draws - draws0) + 1,
                    timeout=15000)
    asked = tab.neuron_map_requests - asked0
    # about one per diagram draw (a change of the map's range asks once more), far fewer than snapshots
    assert 1 <= asked <= 2 * (tab.diagram_draws - draws0) + 1
    qtbot.waitUntil(lambda: tab.neuron_maps is not None and tab.diagram.map_size == MAP_SIZE, timeout=3000)
    assert "neurons" not in tab.controller.views


def test_points_are_drawn_outlined_by_their_class_and_filled_by_the_prediction(qtbot):
    from PySide6.QtGui import QColor

    from gdplay.ui.network.plots import DecisionMapView
    from gdplay.ui.plots.style import CLASS_COLORS, configure

    configure()
    view = DecisionMapView()
    qtbot.addWidget(view.widget)
    view.widget.resize(400, 400)
    view.widget.show()
    qtbot.waitExposed(view.widget)
    view.plot.setRange(xRange=(-2, 2), yRange=(-2, 2), padding=0)
    xy = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [50.0, 50.0]])  # the last one off the plot
    labels = np.array([0, 1, 1, 0])
    view.set_points(xy, labels, np.array([False, False, True, False]), predicted=np.array([1, 1, 0, 0]))
    assert view.point_count == 4
    image = view.widget.grab().toImage()

    def colour_at(x, y):
        p = view.plot.getViewBox().mapViewToScene(QPointF(x, y))
        q = view.widget.mapFromScene(p)
        return QColor(image.pixel(q.x(), q.y()))

    def near(c, name):
        ref = QColor(name)
        return max(abs(c.red() - ref.red()), abs(c.green() - ref.green()), abs(c.blue() - ref.blue())) < 40

    assert near(colour_at(-1, -1), CLASS_COLORS[1])  # a class-1 point predicted as class 2: class 2's fill
    assert near(colour_at(1, 1), CLASS_COLORS[1])
    assert near(colour_at(1, -1), CLASS_COLORS[0])  # a held-out (square) point predicted as class 1
    assert not near(colour_at(0, 0), CLASS_COLORS[0]) and not near(colour_at(0, 0), CLASS_COLORS[1])
