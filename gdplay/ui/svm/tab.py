"""Placeholder until the SVM tab lands."""

from gdplay.ui.placeholder import PendingTab


class SvmTab(PendingTab):
    def __init__(self, parent=None) -> None:
        super().__init__("svm", "SVM", "The support-vector-machine playground is being built.", parent)
