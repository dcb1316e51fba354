"""``gdplay fit network``: train the Neural-network tab's MLP on a CSV of points, or step the seed's
two-neuron chain example, without a window.

    --data FILE.csv --layers 8,8 --activation tanh --loss xent --optimizer adam --lr 0.01 --batch 0
    --steps 2000 --seed 0 [--test FILE.csv] [--json]
    --example chain --steps K [--json]

CSV: columns x1, x2, label, comma separated, with an optional header line ``x1,x2,label``. Labels are the
classes 0..k-1, or -1/+1 for two classes as the SVM takes them (then reported as -1/+1). Bad input prints
one line ``gdplay: error: ...`` on stderr and returns 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from gdplay.core.activations import HIDDEN_ACTIVATIONS
from gdplay.core.csvio import CSVError, read_table
from gdplay.core.network import (
    INITS,
    LOSSES,
    MAX_HIDDEN_LAYERS,
    ChainExample,
    ChainParams,
    NetworkParams,
    NetworkTrainer,
    chain_example_step,
)
from gdplay.core.optimizers import OPTIMIZERS
from gdplay.core.trainer import Status, ValidationError

COLUMNS = ("x1", "x2", "label")


class InputError(ValueError):
    """Bad command-line input: the message is printed after ``gdplay: error: ``."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="FILE.csv",
                        help="training points: x1,x2,label per line (labels 0..k-1, or -1/+1 as for fit svm)")
    parser.add_argument("--test", metavar="FILE.csv", help="held-out points scored but not trained on")
    parser.add_argument("--example", choices=("chain",),
                        help="step the two-neuron chain example (x=0.1, w1=0.15, b1=0.4, w2=0.45, b2=0.65, T=0.25)")
    parser.add_argument("--layers", default="8,8",
                        help=f"hidden layer widths, comma separated (0-{MAX_HIDDEN_LAYERS} layers; '' or 'none' "
                             "for none); default 8,8")
    parser.add_argument("--activation", default="tanh", help=f"one of {', '.join(HIDDEN_ACTIVATIONS)}")
    parser.add_argument("--loss", default="xent", help=f"one of {', '.join(LOSSES)}")
    parser.add_argument("--init", default="xavier", help=f"one of {', '.join(INITS)}")
    parser.add_argument("--optimizer", default="gd", help=f"one of {', '.join(OPTIMIZERS)}")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate (default 0.1; 0.4 for --example chain)")
    parser.add_argument("--batch", type=int, default=0, help="rows per step, 0 = full batch (default)")
    parser.add_argument("--l2", type=float, default=0.0, help="l2 penalty on the weights")
    parser.add_argument("--steps", type=int, default=1000, help="optimizer steps (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the initial weights and shuffling")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def read_points(path: str | Path) -> tuple[np.ndarray, np.ndarray, bool]:
    """(X (n, 2), classes 0..k-1 (n,), signed) from a CSV of x1,x2,label with an optional header (see
    gdplay.core.csvio). Labels 0..k-1 are the classes; labels -1/+1 (``signed``) are classes 0 and 1, as the
    SVM reads them. Mixing the two (-1 beside 0, or beside 2) is refused: it would be ambiguous."""
    try:
        table = read_table(path, ("x1", "x2"), label="label")
    except CSVError as exc:
        raise InputError(f"{path}: {exc}") from None
    labels = table.labels
    assert labels is not None  # read_table with a label column gives one
    labels = np.asarray(labels)
    signed = bool(np.any(labels == -1))
    bad = np.asarray((labels < -1) | (labels > 1) if signed else labels < 0)
    if bad.any():
        i = int(np.argmax(bad))
        expected = "the file labels its classes -1/+1, so every label is -1 or +1" if signed \
            else "labels are 0..k-1, or -1/+1 for two classes"
        raise InputError(f"{path}: Line {table.lines[i]}, column label: {labels[i]} is not a class; {expected}.")
    if signed and np.any(labels == 0):
        i = int(np.argmax(labels == 0))
        raise InputError(f"{path}: Line {table.lines[i]}, column label: 0, but other rows use -1; label two "
                         "classes -1/+1 or 0/1, not both.")
    return table.values, (labels > 0).astype(np.int64) if signed else labels, signed


def _layers(text: str) -> tuple[int, ...]:
    text = text.strip()
    if text.lower() in ("", "none", "0"):
        return ()
    widths = []
    for part in text.split(","):
        try:
            widths.append(int(part))
        except ValueError:
            raise InputError(f"--layers: {part.strip()!r} is not a layer width; write e.g. 8,8") from None
    return tuple(widths)


# -- the two modes ----------------------------------------------------------------------------------

def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _run_chain(args: argparse.Namespace) -> dict[str, Any]:
    if args.steps < 1:
        raise InputError(f"--steps must be >= 1; got {args.steps}")
    params = ChainParams(learning_rate=0.4 if args.lr is None else args.lr, max_steps=max(args.steps, 1)).validate()
    first = chain_example_step(params.state())
    chain = ChainExample(params)
    chain.step(args.steps)
    keys = ("z1", "a1", "z2", "a2", "E", "dE_dw1", "dE_db1", "dE_dw2", "dE_db2", "w1", "b1", "w2", "b2")
    return {
        "example": "chain", "learning_rate": params.learning_rate,
        "first_step": {k: first[k] for k in keys},
        "steps": chain.n_iter_, "error_after": chain.error_, "weights_after": dict(chain.snapshot().weights),
        "status": chain.status.value,
    }


def _run_network(args: argparse.Namespace) -> dict[str, Any]:
    if not args.data:
        raise InputError("give --data FILE.csv (or --example chain)")
    if args.steps < 1:
        raise InputError(f"--steps must be >= 1; got {args.steps}")
    X, labels, signed = read_points(args.data)
    mask = np.zeros(len(X), dtype=bool)
    if args.test:
        Xt, lt, test_signed = read_points(args.test)
        if test_signed != signed and not (signed and set(lt.tolist()) <= {1}) \
                and not (test_signed and set(labels.tolist()) <= {1}):
            raise InputError(f"{args.test} labels its classes {'-1/+1' if test_signed else '0..k-1'}, but "
                             f"{args.data} {'-1/+1' if signed else '0..k-1'}; use one convention in both.")
        X, labels = np.vstack([X, Xt]), np.concatenate([labels, lt])
        mask = np.concatenate([mask, np.ones(len(Xt), dtype=bool)])
    params = NetworkParams(
        hidden=_layers(args.layers), activation=args.activation, loss=args.loss, init=args.init,
        optimizer=args.optimizer, learning_rate=0.1 if args.lr is None else args.lr, batch_size=args.batch,
        l2=args.l2, seed=args.seed, max_steps=args.steps,
    ).validate()
    trainer = NetworkTrainer(params)
    trainer.set_data(X, labels, test_mask=mask)
    if trainer.status is Status.INVALID:
        raise InputError(trainer.message)
    trainer.fit()
    snap = trainer.snapshot()
    out: dict[str, Any] = {
        "status": snap.status.value, "steps": snap.step, "epochs": snap.epoch,
        "train_loss": _finite(snap.train_loss), "train_accuracy": _finite(snap.train_accuracy),
        "layers": list(snap.layer_sizes), "n_train": snap.n_train,
        "classes": [(-1 if c == 0 else 1) if signed else c for c in snap.classes],
    }
    if args.test:
        out.update(test_loss=_finite(snap.test_loss), test_accuracy=_finite(snap.test_accuracy),
                   n_test=snap.n_test)
    if snap.message:
        out["message"] = snap.message
    return out


def _print_text(result: dict[str, Any]) -> None:
    if result.get("example") == "chain":
        first = result["first_step"]
        print("first step:")
        for k, v in first.items():
            print(f"  {k:7s} = {v:.10g}")
        print(f"after {result['steps']} steps: E = {result['error_after']:.10g}")
        return
    for k, v in result.items():
        print(f"{k}: {v}")


def run(args: argparse.Namespace) -> int:
    """0 on success (a diverged run is a result: its status says so); 2 on bad input."""
    try:
        result = _run_chain(args) if args.example == "chain" else _run_network(args)
    except (InputError, ValidationError) as exc:
        print(f"gdplay: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdplay fit network", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
