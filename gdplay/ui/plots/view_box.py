"""A ViewBox whose right-click menu is built when first opened."""

from __future__ import annotations

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu


class LazyMenuViewBox(pg.ViewBox):
    """pyqtgraph builds every view's menu (two axis forms, ~25 widgets, ~0.3 MB) up front, and refreshes it
    on each range change; across our ~25 plots that is ~7 MB and hundreds of widgets nobody opened. This
    one builds the same menu at the first right click."""

    menu: ViewBoxMenu | None

    def __init__(self, **kwargs) -> None:
        enable = kwargs.pop("enableMenu", True)
        super().__init__(enableMenu=False, **kwargs)
        self.state["enableMenu"] = enable

    def _applyMenuEnabled(self) -> None:
        if not self.menuEnabled() and self.menu is not None:
            self.menu.setParent(None)
            self.menu = None

    def getMenu(self, ev=None):
        if self.menu is None and self.menuEnabled():
            self.menu = ViewBoxMenu(self)
            self.updateViewLists()
        return self.menu

    def getContextMenus(self, event):
        return self.getMenu(event).actions() if self.menuEnabled() else []
