"""Contour lines by vectorised marching squares, chained into polylines (so a dashed pen dashes along a
line instead of restarting in every cell), numpy only: the window draws them, and a trainer's process can
compute them next to the map they come from (an SVM's boundary and margins), off the GUI thread.

``iso_polylines`` returns the lines as x, y and a connect array (pyqtgraph's ``arrayToQPath`` form).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def iso_polylines(z: np.ndarray, level: float | Sequence[float], x_range: Sequence[float],
                  y_range: Sequence[float], chain: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where ``z`` (rows = y, grid points spanning ``x_range`` × ``y_range``) crosses ``level`` (one value or
    several, all found in one vectorised pass): ``(x, y, connect)`` with ``connect[k]`` 1 when point k joins
    point k + 1 (``arrayToQPath``'s form)."""
    z = np.asarray(z, dtype=np.float64)
    levels = np.atleast_1d(np.asarray(level, dtype=np.float64))
    empty = (np.empty(0), np.empty(0), np.empty(0, dtype=np.int32))
    if z.ndim != 2 or min(z.shape) < 2 or not len(levels):
        return empty
    ny, nx = z.shape
    levels = np.sort(levels)
    # band of each grid value: how many levels lie at or below it (NaN: below them all), so level k is
    # "above" at a point where band > k; only cells whose corners' bands differ hold a line
    band = np.searchsorted(levels, z, side="right").astype(np.int32)
    band[~np.isfinite(z)] = 0
    a, b, c, d = band[:-1, :-1], band[:-1, 1:], band[1:, 1:], band[1:, :-1]  # corners (i,j) (i,j+1) (i+1,j+1) (i+1,j)
    lo = np.minimum(np.minimum(a, b), np.minimum(c, d))
    hi = np.maximum(np.maximum(a, b), np.maximum(c, d))
    cells = np.flatnonzero(hi > lo)
    if not len(cells):
        return empty
    # one row per (cell, level crossing it)
    n_cross = (hi.ravel() - lo.ravel())[cells]
    starts = np.cumsum(n_cross) - n_cross
    cells = np.repeat(cells, n_cross)
    lvl = lo.ravel()[cells].astype(np.int64) + (np.arange(len(cells)) - np.repeat(starts, n_cross))
    w = nx - 1
    ci, cj = cells // w, cells % w
    up = [corner.ravel()[cells] > lvl for corner in (a, b, c, d)]  # the four corners above the level?
    cb, cr, ct, cl = up[0] != up[1], up[1] != up[2], up[3] != up[2], up[0] != up[3]
    count = cb.astype(np.int8) + cr + ct + cl
    n_h = ny * (nx - 1)
    n_edges = n_h + (ny - 1) * nx
    # edge ids: horizontal edge (i, j) -> i*(nx-1) + j; vertical (i, j) -> n_h + i*nx + j; plus the level's block
    base = lvl * n_edges
    e_b = base + ci * (nx - 1) + cj
    e_t = base + (ci + 1) * (nx - 1) + cj
    e_l = base + n_h + ci * nx + cj
    e_r = e_l + 1
    edges = np.stack([e_b, e_r, e_t, e_l])  # (4, m)
    crosses = np.stack([cb, cr, ct, cl])
    two = count == 2
    # two crossings: join them (the first and the second crossing edge in the order b, r, t, l)
    order = np.argsort(~crosses[:, two], axis=0, kind="stable")[:2]
    seg2 = np.take_along_axis(edges[:, two], order, axis=0).T
    # saddles (four crossings): split by the centre value
    sad = ~two
    pieces = [seg2]
    if sad.any():
        sl, si, sj = lvl[sad], ci[sad], cj[sad]
        centre = (z[si, sj] + z[si, sj + 1] + z[si + 1, sj + 1] + z[si + 1, sj]) / 4 >= levels[sl]
        a_side = up[0][sad]
        eb, er, et, el = (e[sad] for e in (e_b, e_r, e_t, e_l))
        same = centre == a_side  # a and c joined through the centre: cut off corners b and d
        pieces.append(np.column_stack([np.where(same, eb, el), np.where(same, er, eb)]))
        pieces.append(np.column_stack([np.where(same, et, er), np.where(same, el, et)]))
    segs = np.vstack(pieces)

    # crossing coordinates for every edge that is used
    used = np.unique(segs)
    level_of, local_id = levels[used // n_edges], used % n_edges
    is_h = local_id < n_h
    hi = local_id[is_h]
    i_h, j_h = hi // (nx - 1), hi % (nx - 1)
    vi = local_id[~is_h] - n_h
    i_v, j_v = vi // nx, vi % nx
    with np.errstate(divide="ignore", invalid="ignore"):
        z0, z1 = z[i_h, j_h], z[i_h, j_h + 1]
        t_h = np.clip(np.nan_to_num((level_of[is_h] - z0) / (z1 - z0), nan=0.5), 0.0, 1.0)
        z0, z1 = z[i_v, j_v], z[i_v + 1, j_v]
        t_v = np.clip(np.nan_to_num((level_of[~is_h] - z0) / (z1 - z0), nan=0.5), 0.0, 1.0)
    col = np.empty(len(used))
    row = np.empty(len(used))
    col[is_h], row[is_h] = j_h + t_h, i_h
    col[~is_h], row[~is_h] = j_v, i_v + t_v
    dx = (x_range[1] - x_range[0]) / max(nx - 1, 1)
    dy = (y_range[1] - y_range[0]) / max(ny - 1, 1)
    px = x_range[0] + col * dx
    py = y_range[0] + row * dy

    local = np.searchsorted(used, segs)  # (k, 2) indices into px/py
    if not chain:  # loose segments: all a solid pen needs, without the Python walk below
        idx = local.ravel()
        return px[idx], py[idx], np.tile(np.array([1, 0], dtype=np.int32), len(local))
    # chain segments into polylines (so a dashed pen dashes along the line): each edge joins two segments
    k = len(local)
    ends = np.full((len(used), 2), -1, dtype=np.int64)  # the (up to) two segments at each point
    flat = local.ravel()
    seg_of = np.repeat(np.arange(k), 2)
    first = np.ones(len(flat), dtype=bool)
    order = np.argsort(flat, kind="stable")
    sorted_pts = flat[order]
    first[1:] = sorted_pts[1:] != sorted_pts[:-1]
    ends[sorted_pts[first], 0] = seg_of[order][first]
    second = ~first
    ends[sorted_pts[second], 1] = seg_of[order][second]
    seg_list = local.tolist()
    ends_list = ends.tolist()
    done = bytearray(k)
    out: list[int] = []
    breaks: list[int] = []  # 1: joined to the next point, 0: the line ends here
    # open lines start at points with one segment; closed loops at any point left
    starts = np.flatnonzero(ends[:, 1] < 0).tolist() + list(range(len(used)))
    for p in starts:
        s = ends_list[p][0]
        if done[s]:
            s = ends_list[p][1]
            if s < 0 or done[s]:
                continue
        line = [p]
        while s >= 0 and not done[s]:
            done[s] = 1
            a, b = seg_list[s]
            p = b if a == p else a
            line.append(p)
            e0, e1 = ends_list[p]
            s = e1 if e0 == s else e0
        out.extend(line)
        breaks.extend([1] * (len(line) - 1) + [0])
    idx = np.asarray(out, dtype=np.int64)
    return px[idx], py[idx], np.asarray(breaks, dtype=np.int32)
