"""``gdplay fit regression``: fit a line (or slope, or polynomial) by gradient descent on a CSV of x, y,
headless, with the same core as the Regression tab.

    --data FILE.csv [--model slope|line|poly|sine --degree D] [--cost mse|sse] [--optimizer NAME --lr X]
    [--batch B] [--init m,b] [--steps N] [--tol T] [--grad-tol G] [--scale] [--seed S] [--json]
    [--history OUT.csv]
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from gdplay.core.csvio import CSVError, read_table, write_table
from gdplay.core.least_squares import MODELS, parameter_names
from gdplay.core.regression import COSTS, REGRESSION_OPTIMIZERS, RegressionParams, RegressionTrainer
from gdplay.core.trainer import Status, ValidationError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="FILE.csv", help="points: x,y per line (optional header)")
    parser.add_argument("--model", default="line", choices=MODELS,
                        help="slope y=w*x, line y=m*x+b, poly, or sine y=sin(w*x) (not convex: local minima)")
    parser.add_argument("--degree", type=int, default=2, help="polynomial degree, 2-6 (with --model poly)")
    parser.add_argument("--cost", default="mse", choices=COSTS, help="mean or sum of squared errors")
    parser.add_argument("--optimizer", default="gd", choices=REGRESSION_OPTIMIZERS)
    parser.add_argument("--lr", type=float, default=1e-4, help="learning rate (default 1e-4)")
    parser.add_argument("--batch", type=int, default=0, help="points per update: 0 full batch, 1 stochastic")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=None,
                        help="RMSProp's decay / Adam's beta2 (default: 0.9 for RMSProp, 0.999 for Adam)")
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--init", default=None, help="start, comma separated in raw units (line: m,b; default -1,0)")
    parser.add_argument("--steps", type=int, default=2000, help="step limit (default 2000)")
    parser.add_argument("--tol", type=float, default=0.0, help="stop when the relative change in cost is below this")
    parser.add_argument("--grad-tol", type=float, default=0.0, help="stop when the gradient norm is below this")
    parser.add_argument("--scale", action="store_true", help="standardize x (results still in raw units)")
    parser.add_argument("--seed", type=int, default=0, help="seed for stochastic and mini-batch order")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--history", metavar="OUT.csv",
                        help="write step, parameters (raw units), the gradient at them (grad_<name>), cost")


def _initial(args: argparse.Namespace, n: int) -> tuple[float, ...] | None:
    if args.init is None:
        return (-1.0, 0.0) if args.model == "line" else None
    try:
        values = tuple(float(v) for v in args.init.split(","))
    except ValueError:
        raise ValidationError(f"--init must be {n} comma-separated numbers; got {args.init!r}.") from None
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise ValidationError(f"--init must be {n} comma-separated finite numbers; got {args.init!r}.")
    return values


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def fit(args: argparse.Namespace) -> tuple[dict, RegressionTrainer]:
    table = read_table(args.data, ("x", "y"))
    x, y = table.values[:, 0], table.values[:, 1]
    names = parameter_names(args.model, args.degree) if args.model != "poly" or 2 <= args.degree <= 6 else ()
    params = RegressionParams(
        model=args.model, degree=args.degree, cost=args.cost, optimizer=args.optimizer, learning_rate=args.lr,
        batch_size=args.batch, momentum=args.momentum, beta1=args.beta1, beta2=args.beta2, epsilon=args.epsilon,
        initial=_initial(args, len(names) or 1), max_steps=args.steps, tol=args.tol, grad_tol=args.grad_tol,
        scale=args.scale, seed=args.seed).validate()
    t = RegressionTrainer(params)
    t.set_data(x, y)
    if t.status is Status.INVALID:
        raise ValidationError(t.snapshot().message)
    t.fit()
    snap = t.snapshot()
    names = snap.names
    out: dict = {"model": args.model}
    out.update({n: _finite(v) for n, v in zip(names, snap.coef)})
    out["parameters"] = {n: _finite(v) for n, v in zip(names, snap.coef)}
    out.update({"cost": _finite(snap.cost), "steps": snap.step, "status": snap.status.value, "message": snap.message})
    opt = snap.optimum
    out["optimum"] = None if opt is None else {
        **{n: _finite(v) for n, v in zip(names, opt.coef)}, "cost": _finite(opt.cost), "unique": opt.unique}
    if snap.curvature is not None:
        out["condition_number"] = _finite(snap.curvature.condition)
        out["lr_edge"] = _finite(snap.curvature.lr_edge)
    return out, t


def write_history(path: str, t: RegressionTrainer) -> None:
    snap = t.snapshot()
    h = snap.columns
    p = len(snap.names)
    theta = h.theta
    A = np.asarray(snap.to_raw)
    raw = snap.raw_theta()  # parameters in raw units
    # ∇ of the cost at each row's own parameters, in raw units: E(r) = E_θ(A⁻¹r), so ∇_r E = A⁻ᵀ ∇_θ E
    with np.errstate(over="ignore", invalid="ignore"):
        grad_theta = np.array([t.q.gradient(row) if np.isfinite(row).all() else np.full(p, np.nan) for row in theta])
        grad = np.linalg.solve(A.T, grad_theta.T).T if len(theta) else np.empty((0, p))
    names = ("step", *snap.names, *(f"grad_{n}" for n in snap.names), "cost")
    write_table(path, names, np.column_stack([h.step, raw, grad, h.cost]))


def run(args: argparse.Namespace) -> int:
    """Fit and print; 0 on success (a diverged run is a result too), 2 on bad input."""
    try:
        out, t = fit(args)
        if args.history:
            write_history(args.history, t)
    except (ValidationError, CSVError) as exc:
        print(f"gdplay: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"gdplay: error: could not write {args.history}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        params = ", ".join(f"{n} = {v:.6g}" for n, v in out["parameters"].items() if v is not None)
        cost = "not finite" if out["cost"] is None else f"{out['cost']:.6g}"  # a diverged run's
        print(f"{out['model']}: {params}; cost {cost} after {out['steps']} steps ({out['status']})")
        if out["message"]:
            print(out["message"])
        if out["optimum"]:
            best = ", ".join(f"{n} = {out['optimum'][n]:.6g}" for n in out["parameters"])
            what = "best w of the window (fine grid)" if args.model == "sine" else "least squares"
            print(f"{what}: {best}; cost {out['optimum']['cost']:.6g}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdplay fit regression", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
