"""Writes resources/examples/*.gdplay.json: every experiment of the seed documents, set up in its tab
and ready to press Play. Run it again after a change to a preset or to the session format:

    .venv/bin/python scripts/make_examples.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
# (file name, tab, preset, title, one-line description)
EXAMPLES = (
    ("01-line-fit", "regression", "seed", "Regression: Nedrich's line fit",
     "nedrich_data.csv from m = −1, b = 0, learning rate 0.0001, 2000 iterations; why is it still far from "
     "the least-squares line?"),
    ("02-feature-scaling", "regression", "seed-scaled", "Regression: the fix, feature scaling",
     "The same run on standardized x: the long valley becomes a round bowl and 2000 steps reach the optimum."),
    ("03-too-large-rate", "regression", "too-large", "Regression: too large a learning rate",
     "Past the edge 2/λmax every step overshoots further: watch the path zigzag out and the run diverge."),
    ("04-batch-vs-stochastic", "regression", "batch-vs-sgd", "Regression: batch vs stochastic",
     "Full-batch gradient descent against one point per update, with the moving average of the cost."),
    ("05-one-weight", "regression", "one-weight", "Regression: one weight, J(w)",
     "y = w·x with the sum of squared errors: each step drawn on the curve J(w) with its tangent."),
    ("06-optimizers", "regression", "optimizers", "Regression: optimizers race",
     "Gradient descent, momentum, Nesterov, Adam and exact line search from the same start."),
    ("07-backprop-chain", "network", "worked", "Neural network: backprop by hand, two neurons",
     "x = 0.1 through two sigmoid neurons, target 0.25, learning rate 0.4: every partial derivative "
     "by the chain rule, one step at a time."),
    ("08-vanishing-sigmoid", "network", "deep-sigmoid", "Neural network: vanishing gradients, sigmoid",
     "XOR with five sigmoid layers: the gradient reaching the first layers is orders of magnitude smaller."),
    ("09-vanishing-relu", "network", "deep-relu", "Neural network: the same network with ReLU",
     "The same five layers with ReLU and He initialisation: the gradient reaches every layer."),
    ("10-gaussian-blobs", "network", "gaussian_pair", "Neural network: the SVM intro's two Gaussian blobs",
     "The SVM intro's experiment 1 points, two classes, one hidden layer: a boundary forms as the loss falls."),
    ("11-svm-c-sweep", "svm", "exp1", "SVM: the SVM intro's experiment 1 and its C sweep",
     "The article's exact points, N([−5,−5], 5I) vs N([5,5], 5I), linear kernel, C = 1: press Play and read "
     "w = (0.36172799, 0.22875099), b = −0.22133232 and 3 support vectors, as the article prints; then Run C "
     "sweep for its C values."),
    ("12-svm-rbf-width", "svm", "exp2", "SVM: the SVM intro's experiment 2 and its RBF width sweep",
     "The article's exact points, N([−5,−5], 25I) vs N([5,5], 25I), its 30 test points held out, RBF with "
     "σ² = 25: train 93.704 %, test 90.000 % as printed; then Run σ² sweep and compare its table."),
    ("13-four-minima", "surfaces", "four-minima", "Surfaces: four minima, where you start decides",
     "Himmelblau's function with its basins of attraction: click any start and see which minimum it reaches."),
    ("14-rosenbrock-banana", "surfaces", "banana", "Surfaces: Rosenbrock's banana",
     "Gradient descent crawls along the curved valley floor; momentum and Nesterov arrive."),
    ("15-saddle-noise", "surfaces", "saddle-noise", "Surfaces: the saddle, and noise escaping it",
     "Started on the ridge of x² − y², plain gradient descent stops at the saddle; with noise it escapes."),
    ("16-rastrigin-noise", "surfaces", "rastrigin", "Surfaces: Rastrigin, stuck or wandering lower",
     "Plain gradient descent stops in the first dip; annealed noisy gradient descent hops to lower ones."),
    ("17-learning-rate-basins", "surfaces", "lr-basins", "Surfaces: the learning rate and the basins",
     "Drag the learning rate and watch the basins map of the four minima move, tear and fly apart."),
    ("19-regression-local-minima", "regression", "local-minima", "Regression: local minima from a sine, y = sin(w·x)",
     "A model not linear in its weight: from w = 0.6 gradient descent settles in a wrong dip of J(w); click J(w) "
     "near 1.8 and it finds the best w. Add your own points and watch the dips move."),
    ("18-sine-fit-local-minima", "surfaces", "sine-fit", "Surfaces: local minima from data (a·sin(w·t))",
     "The squared error of a sine fitted to four points over its frequency and amplitude: wrong fits that "
     "gradient descent cannot leave."),
)


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gdplay.core import session as S
    from gdplay.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    out = ROOT / "resources" / "examples"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*" + S.SUFFIX):
        old.unlink()
    ini = out / ".make-examples.ini"
    for name, key, preset, title, description in EXAMPLES:
        window = MainWindow(settings=QSettings(str(ini), QSettings.Format.IniFormat))  # fresh: no state carried over
        try:
            window.resize(1400, 860)
            tab = window.tab(key)
            if preset == "worked":
                tab.set_worked_mode(True)
            else:
                tab.apply_preset(preset, play=False)
            tab.flush_pending()
            app.processEvents()
            state = tab.session_state(None)
            S.save(out / (name + S.SUFFIX), S.Session({key: state}, key, title, description))
            print(f"wrote {name}{S.SUFFIX}")
        finally:
            window.shutdown()
            window.deleteLater()
            app.processEvents()
    ini.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
