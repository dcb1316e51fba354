"""Placeholder until the Neural network tab lands."""

from gdplay.ui.placeholder import PendingTab


class NetworkTab(PendingTab):
    def __init__(self, parent=None) -> None:
        super().__init__("network", "Neural network",
                         "The neural-network playground (backpropagation layer by layer) is being built.", parent)
