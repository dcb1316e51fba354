"""A quantity per iteration, one curve per run: the curves of the Regression and Surfaces tabs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg

from gdplay.ui.plots.style import add_legend, make_plot, run_pen, set_legend_row_visible

STEP = 0  # every history's first column


class RunHistoryView:
    """A column of the runs' histories against the step, one curve per run in the run's colour with a legend
    row named by the run (hidden while that run is not there). On a log axis a value <= 0 (a perfect fit) is
    drawn a little below the smallest positive one: a log axis cannot show it."""

    def __init__(self, title: str, y_label: str, column: int, legend_offset: tuple[float, float] | None,
                 width: float) -> None:
        self.widget = make_plot(title, "iteration", y_label, grid=False)
        self.plot = self.widget.getPlotItem()
        self.column = column
        self.width = width
        self.legend = add_legend(self.plot, legend_offset) if legend_offset is not None else None
        self.curves: list[pg.PlotDataItem] = []

    def _curve(self, k: int, label: str) -> pg.PlotDataItem:
        while len(self.curves) <= k:
            item = pg.PlotDataItem(pen=run_pen(len(self.curves), self.width))
            self.plot.addItem(item)
            self.curves.append(item)
            if self.legend is not None:
                self.legend.addItem(item, label)
        return self.curves[k]

    def draw_runs(self, runs: Sequence[Any], offset: float = 0.0, log: bool = True) -> tuple[float, float, float]:
        """Draw the column (minus ``offset``) of each run's ``history``; returns (last step, lowest, highest)
        drawn, for the axes' range."""
        lo, hi, last = np.inf, -np.inf, 0.0
        for k, run in enumerate(runs):
            item = self._curve(k, run.label)
            h = run.history
            if not len(h):
                item.setData([], [])
                continue
            y = h[:, self.column] - offset
            if log:
                positive = y[np.isfinite(y) & (y > 0)]
                y = np.maximum(y, float(positive.min()) * 1e-2 if len(positive) else 1e-300)
            ok = np.isfinite(y)
            item.setData(h[ok, STEP], y[ok])
            if ok.any():
                lo, hi = min(lo, float(y[ok].min())), max(hi, float(y[ok].max()))
                last = max(last, float(h[-1, STEP]))
        for k in range(len(runs), len(self.curves)):
            self.curves[k].setData([], [])
        for k, item in enumerate(self.curves):
            self._row_visible(item, k < len(runs))
            if k < len(runs) and self.legend is not None:
                label = self.legend.getLabel(item)
                if label is not None and label.text != runs[k].label:
                    label.setText(runs[k].label)
        return last, lo, hi

    def _row_visible(self, item: pg.GraphicsObject, visible: bool) -> None:
        set_legend_row_visible(self.legend, item, visible)
