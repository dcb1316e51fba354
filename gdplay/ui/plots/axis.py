"""Axes whose log scale is labelled 1-2-5 per decade."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

# tick-label density per level on a log axis: decades always; 2 and 5 while labels fill under 35 % of the axis;
# 3, 4, 6.. 9 only when they fill under a quarter (a range of a decade or less)
LOG_TEXT_FILL = [(0, 0.8), (2, 0.35), (6, 0.25)]
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Axis(pg.AxisItem):
    """pyqtgraph labels every 2..9 of each decade as soon as the range spans under about two decades, a
    column of crowded numbers (0.02 0.03 ... 0.09 0.1). Here the levels are decades, then 2 and 5, then the
    rest, and the text-fill limits decide how many of them have room."""

    # pyqtgraph measures the axis in device pixels and the label text in scene units; a zoomed plot (lecture
    # mode) scales the scene, so the axis seemed `zoom` times longer than the text it must hold, and the
    # labels of a small plot overlapped ("-1-0.50 0.5 1"). Both the spacing and the fill limits use the
    # unzoomed length here.
    def _zoom(self) -> float:
        return float(getattr(self.getViewWidget(), "zoom", 1.0) or 1.0)

    def tickValues(self, minVal, maxVal, size):
        return super().tickValues(minVal, maxVal, size / self._zoom())

    def generateDrawSpecs(self, p):
        zoom = self._zoom()
        if zoom == 1.0:
            return super().generateDrawSpecs(p)
        limits = self.style["textFillLimits"]
        self.style["textFillLimits"] = [(n, fill / zoom) for n, fill in limits]
        try:
            return super().generateDrawSpecs(p)
        finally:
            self.style["textFillLimits"] = limits

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        # a diverged run's cost reaches 1e308: labels must stay within what a float holds
        lo, hi = max(minVal, -307.0), min(maxVal, 308.0)
        major = [(s, [v for v in t if lo <= v <= hi]) for s, t in stdTicks if s >= 1.0]
        if major and major[0][0] > 1.0:  # too many decades to label each: pyqtgraph's own spacing
            return major
        decades = np.arange(np.floor(lo), np.ceil(hi) + 1.0)
        levels = []
        for mantissas in ((1,), (2, 5), (3, 4, 6, 7, 8, 9)):
            values = (decades[:, None] + np.log10(mantissas)).ravel()
            levels.append((None, [float(v) for v in values if lo <= v <= hi]))
        return levels

    def logTickStrings(self, values, scale, spacing):
        """Plain numbers from 0.0001 to 99999 (pyqtgraph wrote 10¹ next to 0.1), powers of ten outside."""
        out = []
        for v in values:
            x = 10.0 ** v * scale
            if 1e-4 <= abs(x) < 1e5:
                out.append(f"{x:g}")
                continue
            e = math.floor(math.log10(abs(x)) + 1e-9)
            m = round(x / 10.0**e)
            out.append(("" if m == 1 else f"{m}·") + "10" + str(e).translate(_SUPERSCRIPT))
        return out

    MAX_DIGITS = 6

    def tickStrings(self, values, scale, spacing):
        """pyqtgraph gives a tick as many decimals as its spacing needs: a range a few 1e-14 wide (a flat
        curve at step 0) printed 14 digits. At most MAX_DIGITS significant digits here."""
        out = super().tickStrings(values, scale, spacing)
        if self.logMode:
            return out
        return [s if len(s.lstrip("-").replace(".", "")) <= self.MAX_DIGITS + 1 else f"{v * scale:.{self.MAX_DIGITS}g}"
                for s, v in zip(out, values)]
