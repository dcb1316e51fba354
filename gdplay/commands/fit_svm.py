"""``gdplay fit svm``: fit a soft-margin SVM to a CSV of points, headless.

    (--data FILE.csv | --experiment 1|2) --kernel linear|poly|rbf --C X [--gamma G --degree D --coef0 R]
    --solver primal|dual|libsvm [--steps N --tol T --learning-rate L] [--test FILE.csv] [--save-data FILE.csv]
    [--json]

The CSV has the columns x1, x2, label (+1/-1 or 0/1) and an optional header line ``x1,x2,label``.
``--experiment 1|2`` trains on the SVM article's own points instead (seed 003; experiment 2 with its 10 %
test split, an RBF kernel and γ = 0.04 unless given) and prints the article's numbers next to gdplay's;
``--save-data`` writes the points trained on (``x1,x2,label``, plus ``split`` = train/test for experiment 2).
``--solver libsvm`` asks scikit-learn's SVC (the reference). Bad input: one line on stderr
("gdplay: error: ...") and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from gdplay.core import datasets
from gdplay.core import svm as svm_core
from gdplay.core.atomic import atomic_write_text
from gdplay.core.csvio import CSVError, read_table
from gdplay.core.kernels import KERNELS
from gdplay.core.svm import SVMParams, SVMTrainer, as_signed_labels, data_problem, reference, scale_note
from gdplay.core.trainer import Status, ValidationError

COLUMNS = ("x1", "x2", "label")
LABEL_VALUES = {-1.0, 0.0, 1.0}


def _read_points_csv(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows of x1, x2, label (+1/-1 or 0/1) with an optional header (see gdplay.core.csvio)."""
    try:
        table = read_table(path, ("x1", "x2"), label="label")
    except CSVError as exc:
        raise ValidationError(f"{path}: {exc}") from None
    labels = table.labels
    assert labels is not None  # read with a label column
    bad = ~np.isin(labels, list(LABEL_VALUES))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValidationError(
            f"{path}: Line {table.lines[i]}, column label: {labels[i]} is not a class label "
            "(use +1/-1 or 0/1).")
    try:
        y = as_signed_labels(labels.astype(np.float64))
    except ValidationError:
        raise ValidationError(f"{path}: the labels mix the +1/-1 and 0/1 conventions; use one of them") from None
    return table.values, y


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SVMParams()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.csv", help="training points: x1,x2,label")
    source.add_argument("--experiment", type=int, choices=(1, 2),
                        help="the SVM article's own points (seed 003): 1 = two separable blobs, linear; "
                             "2 = overlapping blobs with its 10 %% test split, RBF with gamma 0.04")
    parser.add_argument("--kernel", choices=KERNELS, default=None,
                        help=f"default {defaults.kernel} (rbf for --experiment 2)")
    parser.add_argument("--C", dest="C", type=float, default=defaults.C, help="the soft-margin penalty C > 0")
    parser.add_argument("--gamma", type=float, default=None,
                        help="kernel coefficient: exp(-gamma ||x-y||^2), (gamma x.y + coef0)^degree; "
                             f"default {defaults.gamma:g} (0.04 = 1/25 for --experiment 2)")
    parser.add_argument("--degree", type=int, default=defaults.degree)
    parser.add_argument("--coef0", type=float, default=defaults.coef0)
    parser.add_argument("--solver", choices=("primal", "dual", "libsvm"), default="dual",
                        help="primal subgradient descent (linear only), SMO on the dual, or scikit-learn's SVC")
    parser.add_argument("--steps", type=int, default=defaults.max_steps, help="step limit")
    parser.add_argument("--tol", type=float, default=defaults.tol)
    parser.add_argument("--learning-rate", dest="learning_rate", type=float, default=defaults.learning_rate,
                        help="primal solver step size")
    parser.add_argument("--test", metavar="FILE.csv", help="held-out points for the test accuracy")
    parser.add_argument("--save-data", dest="save_data", metavar="FILE.csv",
                        help="write the points trained on (and experiment 2's test points) as CSV")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _accuracy(decision: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.where(decision >= 0, 1.0, -1.0) == y))


def _resolved(args: argparse.Namespace) -> tuple[str, float]:
    """Kernel and gamma: as given, else the experiment's (2: RBF, γ = 1/25) or the defaults."""
    defaults = SVMParams()
    exp2 = args.experiment == 2
    kernel = args.kernel if args.kernel is not None else ("rbf" if exp2 else defaults.kernel)
    gamma = args.gamma if args.gamma is not None else (0.04 if exp2 else defaults.gamma)
    return kernel, gamma


def _article(args: argparse.Namespace, params: SVMParams) -> dict | None:
    """What the article prints for these settings (None if it prints nothing for them)."""
    if args.experiment == 1 and params.kernel == "linear":
        a = svm_core.ARTICLE_EXP1
        out: dict[str, object] = {"n_support_libsvm": svm_core.LIBSVM_C_SWEEP_N_SUPPORT.get(float(params.C))}
        if params.C >= 1.0:  # the hard margin: the same solution for every C >= 1 (the C sweep)
            out.update(w=list(a.w), b=a.b, support=list(a.support), dual_objective=-a.obj, rho=a.rho)
        return out if any(v is not None for v in out.values()) else None
    if args.experiment == 2 and params.kernel == "rbf" and params.C == 1.0:
        table = {1.0 / s2: acc for s2, acc in svm_core.ARTICLE_SIGMA2_ACCURACY.items()}
        table[0.04] = svm_core.ARTICLE_EXP2_ACCURACY
        for g, (train, test) in table.items():
            if math.isclose(params.gamma, g, rel_tol=1e-9):
                return {"train_accuracy": train / 100, "test_accuracy": test / 100}
    return None


def _fit(args: argparse.Namespace, X: np.ndarray, y: np.ndarray, test: np.ndarray | None = None) -> dict:
    """Fit on the rows of X not in ``test``; test accuracy on the ``test`` rows (or on ``--test``)."""
    kernel, gamma = _resolved(args)
    params = SVMParams(kernel=kernel, C=args.C, gamma=gamma, degree=args.degree, coef0=args.coef0,
                       solver="dual" if args.solver == "libsvm" else args.solver, tol=args.tol,
                       max_steps=args.steps, learning_rate=args.learning_rate).validate()
    Xt = yt = None
    if test is not None and test.any():
        X, y, Xt, yt = X[~test], y[~test], X[test], y[test]
    problem = data_problem(y)
    if problem:
        raise ValidationError(f"{args.data}: {problem}")
    if args.solver == "libsvm":
        try:
            r = reference(X, y, params)
        except ImportError:
            raise ValidationError("--solver libsvm needs scikit-learn (pip install scikit-learn)") from None
        from gdplay.core.kernels import kernel_sum

        def decide(Xq: np.ndarray) -> np.ndarray:
            return kernel_sum(Xq, r.support_vectors, r.dual_coef, r.intercept, **params.kernel_args())

        w, b, support, status = r.coef, r.intercept, r.support, "converged"
        dual, primal = r.dual_objective, r.primal_objective
    else:
        trainer = SVMTrainer(params)
        trainer.set_data(X, y)
        trainer.fit()
        if trainer.status in (Status.INVALID, Status.DIVERGED):
            raise ValidationError(trainer.message)
        decide = trainer.decision_function
        w, b, support, status = trainer.coef_, trainer.intercept_, trainer.support_, trainer.status.value
        # the primal solver has no α: no dual objective and no gap to report
        dual, primal = trainer.dual_, trainer.primal_

    def number(v: float) -> float | None:
        return float(v) if math.isfinite(v) else None

    out: dict[str, object] = {
        "w": None if w is None else [float(v) for v in w],
        "b": float(b),
        "n_support": len(support),
        "support": [int(i) for i in support],
        "train_accuracy": _accuracy(decide(X), y),
        "test_accuracy": None,
        "primal_objective": number(primal),
        "dual_objective": number(dual),
        "gap": number(primal - dual),
        "status": status,
    }
    if status == "max_steps" and scale_note(X, params):  # why the run stopped far from the optimum
        out["note"] = scale_note(X, params)
    if args.test:
        Xt, yt = _read_points_csv(args.test)
    if Xt is not None and yt is not None:
        out["test_accuracy"] = _accuracy(decide(Xt), yt)
    if args.experiment is not None:
        out["experiment"] = args.experiment
        out["article"] = _article(args, params)
    return out


def _print_text(out: dict) -> None:
    if out["w"] is not None:
        print("w = [" + ", ".join(f"{v:.8g}" for v in out["w"]) + "]")
    print(f"b = {out['b']:.8g}")
    print(f"support vectors: {out['n_support']}")
    print(f"train accuracy: {out['train_accuracy']:.4f}")
    if out["test_accuracy"] is not None:
        print(f"test accuracy: {out['test_accuracy']:.4f}")
    for key in ("primal_objective", "dual_objective", "gap"):
        if out[key] is not None:
            print(f"{key.replace('_', ' ')}: {out[key]:.6g}")
    print(f"status: {out['status']}")
    if out.get("note"):
        print(out["note"])
    article = out.get("article")
    if article:
        print(f"the article (experiment {out['experiment']}) prints:")
        shown = {"w": lambda v: "[" + ", ".join(f"{x:.8f}" for x in v) + "]", "b": lambda v: f"{v:.8f}",
                 "support": lambda v: ", ".join(map(str, v)) + " (0-based rows)",
                 "dual_objective": lambda v: f"{v:.6f} (libsvm obj = {-v:.6f})", "rho": lambda v: f"{v:.6f}",
                 "n_support_libsvm": lambda v: f"{v} (libsvm on the article's code; the article plots it)",
                 "train_accuracy": lambda v: f"{100 * v:.4f} %", "test_accuracy": lambda v: f"{100 * v:.4f} %"}
        for key, value in article.items():
            if value is not None:
                print(f"  {key.replace('_', ' ')}: {shown[key](value)}")


def _save_points(path: str, X: np.ndarray, y: np.ndarray, test: np.ndarray | None) -> None:
    """x1,x2,label (+1/-1), with a split column (train/test) when some rows are held out; rows in the order
    trained on, so ``support`` indexes them. Written atomically; repr keeps every bit of the floats."""
    header = "x1,x2,label" + (",split" if test is not None and test.any() else "")
    lines = [header]
    for k, ((a, b), label) in enumerate(zip(X.tolist(), y.tolist())):
        row = f"{a!r},{b!r},{int(label):+d}"
        if test is not None and test.any():
            row += ",test" if test[k] else ",train"
        lines.append(row)
    try:
        atomic_write_text(path, "\n".join(lines) + "\n")
    except OSError as exc:
        raise ValidationError(f"Cannot write {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Fit and print; 0 on success, 2 on bad input (one line on stderr, no traceback)."""
    try:
        test = None
        if args.experiment is not None:
            if args.experiment == 2 and args.test:
                raise ValidationError("--test cannot be used with --experiment 2: it has its own test split")
            exp = datasets.seed_experiment(args.experiment)
            X, y, test = exp.X, exp.y, exp.test
        else:
            X, y = _read_points_csv(args.data)
        if args.save_data:
            _save_points(args.save_data, X, y, test)
        out = _fit(args, X, y, test)
    except ValidationError as exc:
        print(f"gdplay: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdplay fit svm", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
