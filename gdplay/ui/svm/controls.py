"""The SVM tab's control panel pieces: data (class picker, presets, seed, edits), the model (kernel, C, the
kernel width shown as σ and γ with the formula in use, solver) and the comparison and sweep boxes."""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gdplay.bridge import CallFailed
from gdplay.core import kernels as K
from gdplay.core.svm import Comparison, SVMParams
from gdplay.ui.svm.plots import NEG_COLOR, POS_COLOR
from gdplay.ui.svm.presets import PRESETS
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.tips import explain_combo


def kernel_names() -> tuple[tuple[str, str], ...]:
    """The kernel menu, (name, text): from the one kernel spec (core/kernels.py), read when a panel is made."""
    return tuple((name, f"{spec.label}   {spec.formula.replace('K(x, y)', 'K')}")
                 for name, spec in K.KERNEL_SPECS.items())


SOLVER_NAMES = (("dual", "Dual: SMO on the α (any kernel)"),
                ("primal", "Primal: subgradient descent on w, b (linear only)"),
                ("libsvm", "Dual, compared live with libsvm (scikit-learn SVC)"))
CONVENTIONS = (("code", "γ = 1/σ²  (the SVM intro's code, as passed to libsvm)"),
               ("formula", "γ = 1/(2σ²)  (the SVM intro's formula exp(−‖x−y‖²/2σ²))"))
SOLVER_TIPS: dict[object, str] = {
               "dual": "Dual: SMO, as in libsvm. Each step changes two α so that Σ αᵢyᵢ = 0 holds; works with "
                       "any kernel.",
               "primal": "Primal: subgradient descent on w and b, minimising ½‖w‖² + C·Σ max(0, 1 − yᵢ(w·xᵢ + b)). "
                         "Linear kernel only.",
               "libsvm": "The dual solver, with scikit-learn's SVC (libsvm) solving the same problem after each "
                         "change; its boundary is drawn dotted green."}
CONVENTION_TIPS: dict[object, str] = {
                   "code": "γ = 1/σ², as the SVM intro's code passes it to libsvm (its presets use this).",
                   "formula": "γ = 1/(2σ²), as in the SVM intro's formula K = exp(−‖x − y‖² / 2σ²)."}
SOLVER_LIMITS = {"dual": SVMParams().max_steps, "primal": 100_000}  # default step limits
PRIMAL_ONLY_LINEAR = ("The primal solver descends on w, which exists only for the linear kernel; "
                      "pick the linear kernel to use it.")


def _clamped(slider: LogSlider, value: float) -> float:
    return min(max(value, slider.minimum), slider.maximum)


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class DataControls(QGroupBox):
    """Signals: ``classChanged(int)`` (editor label 0 = class −1, 1 = class +1), ``presetRequested(key, seed)``,
    ``undoRequested()``, ``redoRequested()``, ``clearRequested()``."""

    classChanged = Signal(int)
    presetRequested = Signal(str, int)
    undoRequested = Signal()
    redoRequested = Signal()
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        self.pos_button = QRadioButton("class +1")
        self.neg_button = QRadioButton("class −1")
        self.pos_button.setStyleSheet(f"color: {POS_COLOR}; font-weight: bold;")
        self.neg_button.setStyleSheet(f"color: {NEG_COLOR}; font-weight: bold;")
        self.pos_button.setChecked(True)
        self.pos_button.setToolTip("A click on the plot adds a point of class +1 (Shift+click adds class −1)")
        self.neg_button.setToolTip("A click on the plot adds a point of class −1 (Shift+click adds class +1)")
        self.classes = QButtonGroup(self)
        self.classes.addButton(self.neg_button, 0)
        self.classes.addButton(self.pos_button, 1)
        self.preset = QComboBox()
        for p in PRESETS:
            self.preset.addItem(p.name, p.key)
            self.preset.setItemData(self.preset.count() - 1, p.tip, Qt.ItemDataRole.ToolTipRole)
        self.preset.setMinimumContentsLength(24)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        explain_combo(self.preset, "Ready-made data sets with their kernel, C and width: pick one and press Load "
                      "preset.", {p.key: p.tip for p in PRESETS})
        self.seed = QSpinBox()
        self.seed.setRange(0, 99_999)
        self.seed.setToolTip("Random seed of the preset's points")
        self.load_button = QPushButton("Load preset")
        self.load_button.setToolTip("Set the chosen preset up: its points (drawn with this seed), kernel, C and "
                                    "width, paused at step 0; then press Play. Ctrl+Z brings back what was here, "
                                    "training included.")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every point (Ctrl+Z brings them back, training included)")
        self.count_label = _selectable(QLabel("–"))
        hint = _selectable(QLabel("Click: add the picked class · Shift+click: the other class · "
                                  "right click: delete · drag: move"))
        hint.setStyleSheet("color: #555555;")

        grid = QGridLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Click adds"))
        row.addWidget(self.pos_button)
        row.addWidget(self.neg_button)
        row.addStretch(1)
        grid.addLayout(row, 0, 0, 1, 4)
        grid.addWidget(hint, 1, 0, 1, 4)
        grid.addWidget(self.preset, 2, 0, 1, 4)
        grid.addWidget(QLabel("Seed"), 3, 0)
        grid.addWidget(self.seed, 3, 1)
        grid.addWidget(self.load_button, 3, 2, 1, 2)
        for i, b in enumerate((self.undo_button, self.redo_button, self.clear_button)):
            grid.addWidget(b, 4, i)
        grid.addWidget(self.count_label, 5, 0, 1, 4)

        self.classes.idClicked.connect(self.classChanged)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.undo_button.clicked.connect(self.undoRequested)
        self.redo_button.clicked.connect(self.redoRequested)
        self.clear_button.clicked.connect(self.clearRequested)

    def current_class(self) -> int:
        return self.classes.checkedId()

    def set_class(self, label: int) -> None:
        (self.pos_button if label == 1 else self.neg_button).setChecked(True)
        self.classChanged.emit(label)

    def select_preset(self, key: str) -> None:
        self.preset.setCurrentIndex(self.preset.findData(key))

    @Slot()
    def _on_load_clicked(self) -> None:
        self.presetRequested.emit(self.preset.currentData(), self.seed.value())


class ModelControls(QGroupBox):
    """Kernel, C, kernel parameters and solver. It only shows params and reports edits (the one protocol):
    ``edited(dict)`` carries the params fields the user changed ({"C": 2.0}; a new kernel also brings the γ
    of its own row, a new solver its default step limit); ``show_params(params)`` shows params that came from
    elsewhere, without emitting. ``viewChanged(str)`` says a view-only choice changed: "convention" (how σ
    is read, never the model) or "solver" (the dual solver with or without the live libsvm comparison)."""

    edited = Signal(dict)
    viewChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.kernel = QComboBox()
        for key, text in kernel_names():
            self.kernel.addItem(text, key)
        self.C = LogSlider(1e-5, 1e7, 1.0, name="C")
        self.C.setToolTip("Penalty on margin violations, log scale 1e-5 to 1e7. Small C: wide soft margin, "
                          "many support vectors; large C: few violations, tends to overfit. Retrains live.")
        # RBF width: the slider is σ; γ follows through the chosen convention
        self.sigma = LogSlider(0.05, 100.0, 5.0, name="σ (RBF width)")
        self.sigma.setToolTip("RBF width σ, log scale; small σ overfits. Retrains live while dragged.")
        self.convention = QComboBox()
        for key, text in CONVENTIONS:
            self.convention.addItem(text, key)
        self.width_label = _selectable(QLabel())
        self.poly_gamma = LogSlider(1e-4, 100.0, 0.1, name="γ")
        self.poly_gamma.setToolTip("γ in the kernel's formula (above): scales the dot product x·y. Retrains live "
                                   "while dragged.")
        self.degree = QSpinBox()
        self.degree.setRange(1, 10)
        self.degree.setValue(2)
        self.degree.setToolTip("Degree d in (γ·x·y + c₀)ᵈ: how curved the boundary may be (a change starts "
                               "the run over)")
        self.coef0 = QDoubleSpinBox()
        self.coef0.setToolTip("c₀ in (γ·x·y + c₀)ᵈ: weighs the lower-degree terms against the highest. Retrains "
                              "live.")
        self.coef0.setRange(-100.0, 100.0)
        self.coef0.setDecimals(2)
        self.coef0.setSingleStep(0.5)
        self.coef0.setValue(1.0)
        self.solver = QComboBox()
        for key, text in SOLVER_NAMES:
            self.solver.addItem(text, key)
        self.solver_note = _selectable(QLabel())
        self.solver_note.setStyleSheet("color: #555555;")
        self.learning_rate = LogSlider(1e-6, 1.0, 1e-3, name="learning rate")
        self.learning_rate.setToolTip("Primal subgradient step size at the start, η; step t uses η/(1 + η t)")
        self.formula = _selectable(QLabel())

        for combo in (self.kernel, self.convention, self.solver):
            # long item texts must not widen the panel past its scroll area
            combo.setMinimumContentsLength(18)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        kernel_tips: dict[object, str] = {name: spec.tip for name, spec in K.KERNEL_SPECS.items()}
        explain_combo(self.kernel, "The kernel K(x, y): the similarity the SVM's decision function "
                      "f(x) = Σ αᵢyᵢK(xᵢ, x) + b is built from (a change starts the run over).",
                      kernel_tips)
        explain_combo(self.convention, "How the RBF width σ is turned into γ (the model keeps its γ when this "
                      "changes; only σ is read differently).", CONVENTION_TIPS)
        explain_combo(self.solver, "How the SVM is trained (a change starts the run over).", SOLVER_TIPS)
        self.form = QFormLayout(self)
        self.form.addRow("Kernel", self.kernel)
        self.form.addRow(self.formula)
        self.form.addRow("C", self.C)
        self.form.addRow("σ", self.sigma)
        self.form.addRow("σ ↔ γ", self.convention)
        self.form.addRow(self.width_label)
        self.form.addRow("γ", self.poly_gamma)
        self.form.addRow("degree d", self.degree)
        self.form.addRow("c₀", self.coef0)
        self.form.addRow("Solver", self.solver)
        self.form.addRow(self.solver_note)
        self.form.addRow("η (primal)", self.learning_rate)

        self.kernel.currentIndexChanged.connect(self._on_kernel_changed)
        self.C.valueChanged.connect(lambda v: self._emit(C=float(v)))
        self.sigma.valueChanged.connect(self._on_sigma_changed)
        self.convention.currentIndexChanged.connect(self._on_convention_changed)
        self.poly_gamma.valueChanged.connect(lambda v: self._emit(gamma=float(v)))
        self.degree.valueChanged.connect(lambda v: self._emit(degree=int(v)))
        self.coef0.valueChanged.connect(lambda v: self._emit(coef0=float(v)))
        self.solver.currentIndexChanged.connect(self._on_solver_changed)
        self.learning_rate.valueChanged.connect(lambda v: self._emit(learning_rate=float(v)))
        self._rbf_gamma = K.gamma_from_sigma(self.sigma.value(), "code")
        self._solver = "dual"  # the params' solver as last shown or edited (the menu adds "libsvm")
        self._show_kernel_rows()

    # -- reading ---------------------------------------------------------------------------------------
    def kernel_name(self) -> str:
        return self.kernel.currentData()

    def solver_name(self) -> str:
        """'dual', 'primal' or 'libsvm' (the dual with a live libsvm comparison)."""
        return self.solver.currentData()

    def gamma(self) -> float:
        return self._rbf_gamma if self._uses_width() else self.poly_gamma.value()

    def convention_name(self) -> str:
        return self.convention.currentData()

    def params(self, base: SVMParams) -> SVMParams:
        solver = "primal" if self.solver_name() == "primal" else "dual"
        # the step limit is base's (the tab's Limit box), but a change of solver takes the new one's default
        limit = base.max_steps if solver == base.solver else SOLVER_LIMITS[solver]
        return SVMParams(kernel=self.kernel_name(), C=self.C.value(), gamma=self.gamma(), degree=self.degree.value(),
                         coef0=self.coef0.value(), solver=solver, learning_rate=self.learning_rate.value(),
                         lr_schedule=base.lr_schedule, power_t=base.power_t, max_steps=limit, tol=base.tol)

    # -- writing (presets) -------------------------------------------------------------------------------
    def remember_rbf_width(self, sigma2: float) -> None:
        """Keep σ² (γ = 1/σ², as in the SVM intro's code) as the RBF width the σ row shows when the RBF kernel is
        chosen, read by the code's convention; emits nothing (a preset's width, whatever its kernel)."""
        with QSignalBlocker(self.convention), QSignalBlocker(self.sigma):
            self.convention.setCurrentIndex(self.convention.findData("code"))
            self._rbf_gamma = K.gamma_from_sigma2(sigma2, "code")
            self.sigma.setValue(_clamped(self.sigma, math.sqrt(sigma2)), emit=False)
        if self._uses_width():
            self._show_width()

    def show_params(self, p: SVMParams) -> None:
        """Put ``p`` into the controls without emitting ``edited``; afterwards ``params(p) == p`` for any p the
        controls can hold (a value beyond a slider's range is clamped). The RBF γ is kept exactly and σ shown
        through the current convention; the dual solver keeps a chosen live libsvm comparison (the same
        params)."""
        self.blockSignals(True)
        self._solver = p.solver
        try:
            self.kernel.setCurrentIndex(self.kernel.findData(p.kernel))  # may turn primal to dual: set below
            self.C.setValue(_clamped(self.C, p.C), emit=False)
            if self._uses_width():
                self._rbf_gamma = float(p.gamma)
                sigma = K.sigma_from_gamma(p.gamma, self.convention_name())
                self.sigma.setValue(_clamped(self.sigma, sigma), emit=False)
            else:  # the linear kernel reads γ from here too (unused, but part of the params)
                self.poly_gamma.setValue(_clamped(self.poly_gamma, p.gamma), emit=False)
            self.degree.setValue(p.degree)
            self.coef0.setValue(p.coef0)
            if not (p.solver == "dual" and self.solver_name() == "libsvm"):
                self.solver.setCurrentIndex(self.solver.findData(p.solver))
            self.learning_rate.setValue(_clamped(self.learning_rate, p.learning_rate), emit=False)
        finally:
            self.blockSignals(False)
        self._show_kernel_rows()

    def _emit(self, **changes: object) -> None:
        self.edited.emit(changes)

    # -- handlers ----------------------------------------------------------------------------------------
    @Slot(int)
    def _on_kernel_changed(self, _i: int) -> None:
        changes: dict[str, object] = {"kernel": self.kernel_name()}
        if self.kernel_name() != "linear" and self.solver_name() == "primal":
            # the primal solver needs w: the dual takes over, with its own default step limit
            with QSignalBlocker(self.solver):
                self.solver.setCurrentIndex(self.solver.findData("dual"))
            changes.update(solver="dual", max_steps=SOLVER_LIMITS["dual"])
            self._solver = "dual"
        self._show_kernel_rows()
        changes["gamma"] = self.gamma()  # the γ of the new kernel's row (σ for the RBF)
        self.edited.emit(changes)

    @Slot(float)
    def _on_sigma_changed(self, sigma: float) -> None:
        self._rbf_gamma = K.gamma_from_sigma(sigma, self.convention_name())
        self._show_width()
        self._emit(gamma=self._rbf_gamma)

    @Slot(int)
    def _on_convention_changed(self, _i: int) -> None:
        # the model stays (γ is kept); only σ is read differently
        sigma = K.sigma_from_gamma(self._rbf_gamma, self.convention_name())
        self.sigma.setValue(min(max(sigma, self.sigma.minimum), self.sigma.maximum), emit=False)
        self._show_width()
        self.viewChanged.emit("convention")

    @Slot(int)
    def _on_solver_changed(self, _i: int) -> None:
        self._show_kernel_rows()
        solver = "primal" if self.solver_name() == "primal" else "dual"
        if solver != self._solver:  # a change of solver takes the new one's default step limit
            self._solver = solver
            self._emit(solver=solver, max_steps=SOLVER_LIMITS[solver])
        else:  # the dual solver with or without the live libsvm comparison: the same params
            self.viewChanged.emit("solver")

    def _show_width(self) -> None:
        g = self._rbf_gamma
        conv = self.convention_name()
        sigma = K.sigma_from_gamma(g, conv)
        rule = "1/σ²" if conv == "code" else "1/(2σ²)"
        other = "formula" if conv == "code" else "code"
        other_rule = "1/(2σ²)" if conv == "code" else "1/σ²"
        self.width_label.setText(
            f"σ = {sigma:.4g}, σ² = {sigma * sigma:.4g}  →  <b>γ = {rule} = {g:.4g}</b><br>"
            f"<span style='color:#666'>(the same γ reads as σ = {K.sigma_from_gamma(g, other):.4g} "
            f"under γ = {other_rule})</span>")

    def _uses_width(self) -> bool:
        """γ of a kernel of distances (K = f(‖x − y‖²), the RBF) is shown as a width σ; of a kernel of dot
        products, as γ itself."""
        spec = K.KERNEL_SPECS[self.kernel_name()]
        return "gamma" in spec.reads and spec.base == "sqdist"

    def _show_kernel_rows(self) -> None:
        """Only the rows of the parameters the chosen kernel reads (its spec's ``reads``), and its formula."""
        kernel = self.kernel_name()
        spec = K.KERNEL_SPECS[kernel]
        width = self._uses_width()
        rows = ((self.sigma, width), (self.convention, width), (self.width_label, width),
                (self.poly_gamma, "gamma" in spec.reads and not width),
                (self.degree, "degree" in spec.reads), (self.coef0, "coef0" in spec.reads),
                (self.learning_rate, self.solver_name() == "primal"))
        for widget, visible in rows:
            self.form.setRowVisible(widget, visible)
        model = "w·x + b" if kernel == "linear" else "Σ αᵢyᵢK(xᵢ, x) + b"
        self.formula.setText(f"<i>{spec.formula};  f(x) = {model}</i>")
        # the primal solver needs w: disable it (with the reason) for the other kernels
        items = self.solver.model()
        if isinstance(items, QStandardItemModel):
            item = items.item(self.solver.findData("primal"))
            item.setEnabled(kernel == "linear")
            item.setToolTip(SOLVER_TIPS["primal"] if kernel == "linear" else PRIMAL_ONLY_LINEAR)
        notes = {
            "dual": "SMO as in libsvm: two α per step; stops when the KKT violation and the relative duality "
                    "gap (P − D)/max(1, |P|) are both ≤ 10⁻³.",
            "primal": "Full-batch subgradient descent on ½‖w‖² + C Σ max(0, 1 − y(w·x + b)), step η/(1 + η t) "
                      "(Pegasos' 1/t); stops when P is within 10⁻³ of the lower bound D(α̂) rebuilt from w. "
                      "Slow for large C: it says so at the step limit.",
            "libsvm": "The dual solver, with scikit-learn's SVC (libsvm) re-solved after each change and "
                      "its boundary drawn dotted green.",
        }
        note = notes[self.solver_name()]
        if kernel != "linear":
            note += " (Primal is off: it needs w, which only the linear kernel has.)"
        self.solver_note.setText(note)
        if width:
            self._show_width()


class ComparisonBox(QGroupBox):
    """The libsvm comparison: a button and a small table of differences."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Compare with libsvm", parent)
        self.button = QPushButton("Compare with libsvm")
        self.button.setToolTip("Solve the same problem with scikit-learn's SVC (libsvm) in the training "
                               "process and show how far the current solution is from it")
        self.table = _selectable(QLabel("Not compared yet."))
        self.table.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.table)

    stale = False
    _html = ""

    def set_stale(self, stale: bool) -> None:
        """Say that the comparison is of a model the settings or data have since replaced."""
        if stale != self.stale and self._html:
            self.stale = stale
            note = ("<br><b style='color:#b00020'>Stale: the model or the points changed since this "
                    "comparison; press Compare with libsvm again.</b>") if stale else ""
            self.table.setText(self._html + note)

    def show_result(self, r: Comparison | CallFailed) -> None:
        self.stale, self._html = False, ""
        if isinstance(r, CallFailed):
            self.table.setText(f"<span style='color:#b00020'>{r.message}</span>")
            return
        d = r.diff

        def vec(w) -> str:
            return "–" if w is None else "(" + ", ".join(f"{v:.4g}" for v in w) + ")"

        rows = []
        if r.w_ref is not None and r.w_ours is not None:
            rows.append(("w", vec(r.w_ours), vec(r.w_ref), f"{d.w_rel:.2%} (‖Δw‖ = {d.w_abs:.2g})"))
        rows.append(("b", f"{r.b_ours:.5g}", f"{r.b_ref:.5g}", f"{d.b_abs:.2g}"))
        if math.isfinite(r.dual_ours):
            rows.append(("dual D", f"{r.dual_ours:.6g}", f"{r.dual_ref:.6g}", f"{d.dual_rel:.2%}"))
        rows.append(("# SV", str(r.n_support_ours), str(r.n_support_ref),
                     f"{len(r.only_ours) + len(r.only_ref)} differ"))
        body = "".join(f"<tr><td><b>{a}</b></td><td>{b}</td><td>{c}</td><td>{e}</td></tr>" for a, b, c, e in rows)

        def idx(a) -> str:
            a = list(map(int, a))
            return "none" if not a else ", ".join(map(str, a[:12])) + (" …" if len(a) > 12 else "")

        self._html = (
            f"<table cellspacing='4'><tr><th></th><th>gdplay</th><th>libsvm</th><th>difference</th></tr>{body}"
            f"</table>SVs only in gdplay: {idx(r.only_ours)}<br>SVs only in libsvm: {idx(r.only_ref)}<br>"
            f"<span style='color:#666'>gdplay at step {r.step:,} ({r.status}); libsvm's boundary: dotted "
            "green on the decision plot.</span>")
        self.table.setText(self._html)


class SweepBox(QGroupBox):
    """Buttons for the SVM intro's two sweeps, run on the current points, and the numbers they gave."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sweeps (the SVM intro's tables)", parent)
        self.c_button = QPushButton("Run C sweep")
        self.c_button.setToolTip("Linear SVM for C = 1e-5, 1e-3, 1, 10, 100, 1e3, 1e5, 1e7 on the current "
                                 "training points (the SVM intro uses experiment 1)")
        self.sigma_button = QPushButton("Run σ² sweep")
        self.sigma_button.setToolTip("RBF SVM for σ² = 1, 2, 4, 8, 32, 128 at the current C and σ ↔ γ "
                                     "convention, with train and test accuracy (the SVM intro uses experiment 2)")
        note = _selectable(QLabel("Load experiment 1 before the C sweep and experiment 2 before the σ² sweep "
                                  "to reproduce the SVM intro's figures; results appear on the “Sweeps” page."))
        note.setStyleSheet("color: #555555;")
        self.result = _selectable(QLabel(""))
        self.result.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.c_button)
        row.addWidget(self.sigma_button)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(self.result)
