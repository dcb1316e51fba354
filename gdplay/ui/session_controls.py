"""A tab's display and data options (the controls that are not its params) read into a session's
``settings`` and put back, by attribute path: ``{"show_residuals": "controls.show_residuals"}``.
Checking is separate from applying, so a session is checked whole before anything changes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDoubleSpinBox, QSlider, QSpinBox, QStackedWidget

from gdplay.core.session import SessionError
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.playback import PlaybackBar

MAX_RANGE = 1e300  # a plot's width (x1 - x0) must stay a finite number
MIN_SPAN = 1e-12  # relative: narrower, and the axis cannot tell its ends apart
# how far beyond its points a saved view may reach: pyqtgraph thins a curve by the ratio of the view to the
# curve's spacing, and fails once that passes ~1e18 (a view of ±1e30 over points near 1 did; ±1e20 did not)
VIEW_REACH = 1e6
VIEW_FLOOR = 1e12


def resolve(owner: object, path: str) -> Any:
    for part in path.split("."):
        owner = getattr(owner, part)
    return owner


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _plot_range(r: Any) -> bool:
    if not (isinstance(r, list) and len(r) == 2 and all(_number(v) and abs(v) <= MAX_RANGE for v in r)):
        return False
    lo, hi = float(r[0]), float(r[1])
    return hi - lo > MIN_SPAN * max(abs(lo), abs(hi), 1e-300)


def read(widget: object) -> Any:
    if isinstance(widget, PlaybackBar):
        return widget.rate()
    if isinstance(widget, LogSlider):
        return widget.value()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, (str, int, float)) and not isinstance(data, bool) else widget.currentIndex()
    if isinstance(widget, (QSpinBox, QDoubleSpinBox, QSlider)):
        return widget.value()
    if isinstance(widget, QStackedWidget):
        return widget.currentIndex()
    if isinstance(widget, pg.PlotItem):
        (x0, x1), (y0, y1) = widget.getViewBox().viewRange()
        return [[x0, x1], [y0, y1]]
    raise TypeError(f"no session value for {type(widget).__name__}")


def check(widget: object, value: Any, what: str) -> Any:
    """``value`` if ``widget`` can take it, else SessionError naming ``what``."""
    ok = True
    if isinstance(widget, PlaybackBar):
        ok = value is None or (_number(value) and value > 0)
    elif isinstance(widget, LogSlider):
        ok = _number(value) and widget.minimum <= value <= widget.maximum
    elif isinstance(widget, QAbstractButton):
        ok = isinstance(value, bool)
    elif isinstance(widget, QComboBox):
        # an index (items without data) may be one the session's params add (the surface's axes of a
        # polynomial), so any index >= 0 is taken; one past the items is left unset when written
        ok = widget.findData(value) >= 0 or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    elif isinstance(widget, (QSpinBox, QSlider)):
        ok = isinstance(value, int) and not isinstance(value, bool) and widget.minimum() <= value <= widget.maximum()
    elif isinstance(widget, QDoubleSpinBox):
        ok = _number(value) and widget.minimum() <= value <= widget.maximum()
    elif isinstance(widget, QStackedWidget):
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < widget.count()
    elif isinstance(widget, pg.PlotItem):
        ok = isinstance(value, list) and len(value) == 2 and all(_plot_range(r) for r in value)
        if not ok:
            raise SessionError(f"{what} is {value!r}; a plot range is [[x0, x1], [y0, y1]] with each start below "
                               f"its end, and the two at least {MIN_SPAN:g} of their size apart.")
    if not ok:
        raise SessionError(f"{what} is {value!r}, which this control cannot show.")
    return value


def write(widget: object, value: Any) -> None:
    if isinstance(widget, PlaybackBar):
        widget.set_rate(value)
    elif isinstance(widget, LogSlider):
        widget.setValue(value)
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(value)
    elif isinstance(widget, QComboBox):
        i = widget.findData(value)
        if i >= 0 or value < widget.count():
            widget.setCurrentIndex(i if i >= 0 else value)
    elif isinstance(widget, (QSpinBox, QDoubleSpinBox, QSlider)):
        widget.setValue(value)
    elif isinstance(widget, QStackedWidget):
        widget.setCurrentIndex(value)
    elif isinstance(widget, pg.PlotItem):
        (x0, x1), (y0, y1) = value
        widget.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)


def read_all(owner: object, paths: Mapping[str, str]) -> dict[str, Any]:
    return {name: read(resolve(owner, path)) for name, path in paths.items()}


def check_all(owner: object, paths: Mapping[str, str], settings: Any, what: str) -> dict[str, Any]:
    """The settings a session gives (missing ones are left as they are; unknown ones refused)."""
    if not isinstance(settings, Mapping):
        raise SessionError(f"{what}'s settings are not an object of named values.")
    unknown = sorted(set(settings) - set(paths))
    if unknown:
        raise SessionError(f"{what} has an unknown setting {unknown[0]!r}.")
    return {name: check(resolve(owner, paths[name]), value, f"{what}'s setting {name!r}")
            for name, value in settings.items()}


def check_views(owner: object, paths: Mapping[str, str], settings: Mapping[str, Any], xy: np.ndarray,
                what: str) -> None:
    """Refuse a saved plot range (already checked by ``check``) that reaches far beyond the session's points:
    at most ±max(VIEW_FLOOR, VIEW_REACH × the largest coordinate)."""
    scale = float(np.abs(xy).max()) if len(xy) else 0.0
    limit = max(VIEW_FLOOR, VIEW_REACH * scale)
    for name, value in settings.items():
        if isinstance(resolve(owner, paths[name]), pg.PlotItem) and max(abs(v) for r in value for v in r) > limit:
            raise SessionError(f"{what}'s setting {name!r} is {value!r}; a view of these points may reach "
                               f"±{limit:g} at most.")


def write_all(owner: object, paths: Mapping[str, str], settings: Mapping[str, Any]) -> None:
    """In the order of ``paths``, not the file's: a preset before the counts it would reset, a plot range
    last."""
    for name, path in paths.items():
        if name in settings:
            write(resolve(owner, path), settings[name])
