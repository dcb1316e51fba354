"""Contour lines by vectorised marching squares: one level of a 100x100 map in well under a millisecond
(pyqtgraph's isocurve walks the cells in Python and takes ~6 ms), so the boundary can follow every frame.
The segments go into one QPainterPath through ``arrayToQPath(connect="pairs")``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem


def iso_segments(z: np.ndarray, level: float) -> np.ndarray:
    """Segments (m, 2, 2) of (x, y) = (column, row) pixel-centre coordinates where ``z`` (rows = y)
    crosses ``level``. Saddle cells get two segments."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or min(z.shape) < 2:
        return np.empty((0, 2, 2))
    above = z >= level
    sa, sb, sc, sd = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    cross = np.stack([sa != sb, sb != sc, sd != sc, sa != sd]).reshape(4, -1)  # bottom, right, top, left
    count = cross.sum(axis=0)
    sel = np.flatnonzero(count)
    if not len(sel):
        return np.empty((0, 2, 2))
    w = z.shape[1] - 1
    r, col = (sel // w).astype(np.float64), (sel % w).astype(np.float64)
    zf = z.ravel()
    i0 = (sel // w) * z.shape[1] + sel % w  # flat index of corner a = (r, c)
    a, b, c, d = zf[i0], zf[i0 + 1], zf[i0 + 1 + z.shape[1]], zf[i0 + z.shape[1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        def frac(v1, v2):
            t = (level - v1) / (v2 - v1)
            return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

        px = np.stack([col + frac(a, b), col + 1.0, col + frac(d, c), col])
        py = np.stack([r, r + frac(b, c), r + 1.0, r + frac(a, d)])
    cross, count = cross[:, sel], count[sel]
    out = []
    two = np.flatnonzero(count == 2)
    if len(two):
        idx = np.argsort(~cross[:, two], axis=0, kind="stable")[:2]  # the two crossed edges, in order
        p0 = np.column_stack([px[idx[0], two], py[idx[0], two]])
        p1 = np.column_stack([px[idx[1], two], py[idx[1], two]])
        out.append(np.stack([p0, p1], axis=1))
    four = np.flatnonzero(count == 4)
    for e0, e1 in ((0, 3), (1, 2)) if len(four) else ():  # saddles: bottom-left and right-top
        out.append(np.stack([np.column_stack([px[e0, four], py[e0, four]]),
                             np.column_stack([px[e1, four], py[e1, four]])], axis=1))
    seg = np.concatenate(out)
    seg += 0.5  # pixel (i, j) of an ImageItem covers [j, j+1] x [i, i+1]: its value sits at the centre
    return seg


def segments_path(segments: np.ndarray) -> QPainterPath:
    if not len(segments):
        return QPainterPath()
    flat = segments.reshape(-1, 2)
    return pg.arrayToQPath(flat[:, 0], flat[:, 1], connect="pairs")


class IsoLines(QGraphicsPathItem):
    """Contour lines drawn over an ImageItem (a child of it, so in its pixel coordinates)."""

    def __init__(self, image: pg.ImageItem, pen: QPen) -> None:
        super().__init__()
        pen = QPen(pen)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setParentItem(image)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_levels(self, z: np.ndarray | None, levels: Iterable[float]) -> None:
        if z is None:
            self.setPath(QPainterPath())
            return
        segs = [iso_segments(z, lv) for lv in levels]
        segs = [s for s in segs if len(s)]
        self.setPath(segments_path(np.concatenate(segs)) if segs else QPainterPath())
