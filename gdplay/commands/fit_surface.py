"""``gdplay fit surface``: gradient descent on a two-variable surface (one of the Surfaces tab's, or a formula
you type), headless, with the same core as the tab.

    --name NAME | --formula "EXPR"  [--optimizer NAME --lr X --init x,y --steps N] [--noise S
    --noise-schedule constant|annealed --seed S] [--grad-tol G] [--basins N [--basins-steps K]] [--json]

Prints the final point, f there, the status, the steps taken and the nearest known critical point by name;
with ``--basins N``, how many starts of an N x N grid over the surface's window reach each critical point
(and how many diverge or do not settle). Bad input: one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from gdplay.core.optimizers import HYPERPARAMETERS
from gdplay.core.surfaces import (
    FORMULA,
    NOISE_SCHEDULES,
    SURFACE_OPTIMIZERS,
    SURFACES,
    SurfaceParams,
    SurfaceTrainer,
    formula_surface,
    point_from_text,
    views,
)
from gdplay.core.trainer import Status, ValidationError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", choices=tuple(SURFACES), help="one of the built-in surfaces")
    which.add_argument("--formula", metavar="EXPR",
                       help="f(x, y) in x and y: + - * / ** ( ), sin cos tan exp log sqrt abs tanh, pi, e")
    parser.add_argument("--optimizer", default="gd", choices=SURFACE_OPTIMIZERS)
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: the surface's own)")
    parser.add_argument("--init", default=None, metavar="x,y", help="the start (default: the surface's own)")
    parser.add_argument("--steps", type=int, default=2000, help="step limit (default 2000)")
    parser.add_argument("--grad-tol", type=float, default=1e-6, help="stop when ||grad f|| is at most this")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=None, help="default 0.999 (RMSProp: 0.9)")
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--noise", type=float, default=0.0, metavar="S",
                        help="add Gaussian noise of scale S to every gradient (noisy gradient descent)")
    parser.add_argument("--noise-schedule", default="constant", choices=NOISE_SCHEDULES,
                        help="annealed: the noise shrinks linearly to zero at the step limit")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise")
    parser.add_argument("--basins", type=int, default=None, metavar="N",
                        help="also run every start of an N x N grid over the surface's window")
    parser.add_argument("--basins-steps", type=int, default=300, help="step limit of each basins start")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def params_from(args: argparse.Namespace) -> SurfaceParams:
    key = FORMULA if args.formula is not None else args.name
    base = SurfaceParams(surface=key, formula=args.formula or "x**2")
    if key == FORMULA:
        sd = formula_surface(args.formula)  # FormulaError says what and where
    else:
        sd = SURFACES[key]
    start = sd.start if args.init is None else point_from_text(args.init)
    beta2 = args.beta2 if args.beta2 is not None else HYPERPARAMETERS.get(args.optimizer, {}).get("beta2", 0.999)
    if args.basins is not None and not 1 <= args.basins <= 1000:
        raise ValidationError(f"--basins must be a grid size from 1 to 1000; got {args.basins}.")
    return SurfaceParams(
        surface=key, formula=base.formula, optimizer=args.optimizer,
        learning_rate=sd.learning_rate if args.lr is None else args.lr, momentum=args.momentum, beta1=args.beta1,
        beta2=beta2, epsilon=args.epsilon, initial=tuple(start), max_steps=args.steps, grad_tol=args.grad_tol,
        noise=args.noise, noise_schedule=args.noise_schedule, seed=args.seed, basins_steps=args.basins_steps,
    ).validate()


def fit(args: argparse.Namespace) -> dict:
    params = params_from(args)
    t = SurfaceTrainer(params)
    if t.status is Status.INVALID:
        raise ValidationError(t.message)
    t.fit()
    snap = t.snapshot()
    run = snap.main
    x, y = (float(v) for v in run.xy)
    near = t.nearest(x, y)
    out: dict = {
        "surface": snap.surface, "formula": snap.formula, "optimizer": params.optimizer,
        "learning_rate": params.learning_rate, "start": list(params.initial), "x": _finite(x), "y": _finite(y),
        "f": _finite(run.cost), "grad_norm": _finite(run.grad_norm), "steps": run.step, "status": run.status.value,
        "message": run.message, "curvature": run.curvature.kind,
        "eigenvalues": [_finite(v) for v in run.curvature.eigenvalues],
        "nearest": None if near is None else {"name": near[0].name, "kind": near[0].kind, "x": near[0].x,
                                              "y": near[0].y, "distance": _finite(near[1])},
    }
    if args.basins is not None:
        sd = t.sd
        m = views.basins_map(t, sd.window[0], sd.window[1], args.basins)
        out["basins"] = {
            "grid": args.basins, "window": [list(sd.window[0]), list(sd.window[1])], "steps": m.steps,
            "seconds": round(m.seconds, 4),
            "points": [{"name": p.name, "kind": p.kind, "x": p.x, "y": p.y, "starts": c}
                       for p, c in zip(m.points, m.counts) if c],
            "diverged": m.diverged, "not_settled": m.not_settled,
        }
    return out


def _print_text(out: dict) -> None:
    where = "–" if out["x"] is None else f"x = {out['x']:.6g}, y = {out['y']:.6g}"
    f = "–" if out["f"] is None else f"{out['f']:.6g}"
    print(f"{out['surface']}: {where}; f = {f} after {out['steps']:,} steps ({out['status']})")
    if out["message"]:
        print(out["message"])
    if out["nearest"] is not None:
        n = out["nearest"]
        print(f"nearest known point: {n['name']}, {n['distance']:.3g} away; the Hessian here says {out['curvature']}")
    b = out.get("basins")
    if b is not None:
        total = b["grid"] ** 2
        print(f"basins of attraction, {b['grid']} x {b['grid']} starts, {out['optimizer']} at learning rate "
              f"{out['learning_rate']:g}, at most {b['steps']} steps ({b['seconds'] * 1e3:.0f} ms):")
        for p in b["points"]:
            print(f"  {p['starts']:>8,}  {p['starts'] / total:6.1%}  {p['name']}")
        print(f"  {b['diverged']:>8,}  {b['diverged'] / total:6.1%}  diverged")
        print(f"  {b['not_settled']:>8,}  {b['not_settled'] / total:6.1%}  not settled")


def run(args: argparse.Namespace) -> int:
    """Fit and print; 0 on success (a diverged run is a result too), 2 on bad input."""
    try:
        out = fit(args)
    except ValidationError as exc:
        print(f"gdplay: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, allow_nan=False, ensure_ascii=False))
    else:
        _print_text(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdplay fit surface", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
