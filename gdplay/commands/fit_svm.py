"""``gdplay fit svm``: fit a soft-margin SVM to a CSV of points, headless.

    --data FILE.csv --kernel linear|poly|rbf --C X [--gamma G --degree D --coef0 R]
    --solver primal|dual|libsvm [--steps N --tol T --learning-rate L] [--test FILE.csv] [--json]

The CSV has the columns x1, x2, label (+1/-1 or 0/1) and an optional header line ``x1,x2,label``.
``--solver libsvm`` asks scikit-learn's SVC (the reference). Bad input: one line on stderr
("gdplay: error: ...") and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

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
    bad = ~np.isin(table.labels, list(LABEL_VALUES))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValidationError(
            f"{path}: Line {table.lines[i]}, column label: {table.labels[i]} is not a class label "
            "(use +1/-1 or 0/1).")
    try:
        y = as_signed_labels(table.labels.astype(np.float64))
    except ValidationError:
        raise ValidationError(f"{path}: the labels mix the +1/-1 and 0/1 conventions; use one of them") from None
    return table.values, y


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SVMParams()
    parser.add_argument("--data", required=True, metavar="FILE.csv", help="training points: x1,x2,label")
    parser.add_argument("--kernel", choices=KERNELS, default=defaults.kernel)
    parser.add_argument("--C", dest="C", type=float, default=defaults.C, help="the soft-margin penalty C > 0")
    parser.add_argument("--gamma", type=float, default=defaults.gamma,
                        help="kernel coefficient: exp(-gamma ||x-y||^2), (gamma x.y + coef0)^degree")
    parser.add_argument("--degree", type=int, default=defaults.degree)
    parser.add_argument("--coef0", type=float, default=defaults.coef0)
    parser.add_argument("--solver", choices=("primal", "dual", "libsvm"), default="dual",
                        help="primal subgradient descent (linear only), SMO on the dual, or scikit-learn's SVC")
    parser.add_argument("--steps", type=int, default=defaults.max_steps, help="step limit")
    parser.add_argument("--tol", type=float, default=defaults.tol)
    parser.add_argument("--learning-rate", dest="learning_rate", type=float, default=defaults.learning_rate,
                        help="primal solver step size")
    parser.add_argument("--test", metavar="FILE.csv", help="held-out points for the test accuracy")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _accuracy(decision: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.where(decision >= 0, 1.0, -1.0) == y))


def _fit(args: argparse.Namespace, X: np.ndarray, y: np.ndarray) -> dict:
    params = SVMParams(kernel=args.kernel, C=args.C, gamma=args.gamma, degree=args.degree, coef0=args.coef0,
                       solver="dual" if args.solver == "libsvm" else args.solver, tol=args.tol,
                       max_steps=args.steps, learning_rate=args.learning_rate).validate()
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

        w, b, support, dual, status = r.coef, r.intercept, r.support, r.dual_objective, "converged"
    else:
        trainer = SVMTrainer(params)
        trainer.set_data(X, y)
        trainer.fit()
        if trainer.status in (Status.INVALID, Status.DIVERGED):
            raise ValidationError(trainer.message)
        decide = trainer.decision_function
        w, b, support, status = trainer.coef_, trainer.intercept_, trainer.support_, trainer.status.value
        dual = trainer.dual_
    out = {
        "w": None if w is None else [float(v) for v in w],
        "b": float(b),
        "n_support": len(support),
        "support": [int(i) for i in support],
        "train_accuracy": _accuracy(decide(X), y),
        "test_accuracy": None,
        "dual_objective": None if not math.isfinite(dual) else float(dual),
        "status": status,
    }
    if status == "max_steps" and scale_note(X, params):  # why the run stopped far from the optimum
        out["note"] = scale_note(X, params)
    if args.test:
        Xt, yt = _read_points_csv(args.test)
        out["test_accuracy"] = _accuracy(decide(Xt), yt)
    return out


def _print_text(out: dict) -> None:
    if out["w"] is not None:
        print("w = [" + ", ".join(f"{v:.6g}" for v in out["w"]) + "]")
    print(f"b = {out['b']:.6g}")
    print(f"support vectors: {out['n_support']}")
    print(f"train accuracy: {out['train_accuracy']:.4f}")
    if out["test_accuracy"] is not None:
        print(f"test accuracy: {out['test_accuracy']:.4f}")
    if out["dual_objective"] is not None:
        print(f"dual objective: {out['dual_objective']:.6g}")
    print(f"status: {out['status']}")
    if out.get("note"):
        print(out["note"])


def run(args: argparse.Namespace) -> int:
    """Fit and print; 0 on success, 2 on bad input (one line on stderr, no traceback)."""
    try:
        X, y = _read_points_csv(args.data)
        out = _fit(args, X, y)
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
