"""A formula in x and y that a person types, parsed into a safe expression tree: a hand-written tokenizer
and recursive-descent parser (never ``eval``), symbolic derivatives of the tree (so a typed surface has an
exact gradient and Hessian, not finite differences), and vectorised evaluation over numpy arrays.

Grammar (``^`` is taken for ``**``; ``-x**2`` is ``-(x**2)``; powers group to the right)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom (("**" | "^") unary)?
    atom   := number | "x" | "y" | "pi" | "e" | func "(" expr ")" | "(" expr ")"
    func   := sin | cos | tan | exp | log | sqrt | abs | tanh

Whatever cannot be parsed raises FormulaError with one sentence naming the position. Evaluation never
raises: a value outside a function's domain (log of a negative number, a square root of one) or an overflow
becomes NaN or inf, and ``Formula.evaluate`` says in a sentence where the first such problem is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdplay.core.trainer import ValidationError

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh")
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 500
MAX_DEPTH = 60


class FormulaError(ValidationError):
    """A formula that cannot be parsed; the message says what and where (1-based character position)."""


# -- the tree: tuples, so trees compare and hash by value ----------------------------------------------------
# ("num", value) ("var", "x") ("neg", a) ("add"|"sub"|"mul"|"div"|"pow", a, b) ("call", name, a)
# and, made by derivatives only, ("call", "sign", a) and ("call", "sec2", a) (1/cos², tan's derivative)
Node = tuple


def num(v: float) -> Node:
    return ("num", float(v))


ZERO, ONE, TWO = num(0), num(1), num(2)


def _is(node: Node, value: float) -> bool:
    return node[0] == "num" and node[1] == value


def add(a: Node, b: Node) -> Node:
    if a[0] == "num" and b[0] == "num":
        return num(a[1] + b[1])
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    return ("add", a, b)


def sub(a: Node, b: Node) -> Node:
    if a[0] == "num" and b[0] == "num":
        return num(a[1] - b[1])
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    if a == b:
        return ZERO
    return ("sub", a, b)


def mul(a: Node, b: Node) -> Node:
    if a[0] == "num" and b[0] == "num":
        return num(a[1] * b[1])
    if _is(a, 0) or _is(b, 0):
        return ZERO
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if _is(a, -1):
        return neg(b)
    if _is(b, -1):
        return neg(a)
    if b[0] == "num":  # constants first: 2*x, not x*2
        a, b = b, a
    return ("mul", a, b)


def div(a: Node, b: Node) -> Node:
    if _is(a, 0):
        return ZERO
    if _is(b, 1):
        return a
    if a[0] == "num" and b[0] == "num" and b[1] != 0:
        return num(a[1] / b[1])
    return ("div", a, b)


def power(a: Node, b: Node) -> Node:
    if _is(b, 0):
        return ONE
    if _is(b, 1):
        return a
    if a[0] == "num" and b[0] == "num":
        with np.errstate(all="ignore"):
            v = np.float64(a[1]) ** np.float64(b[1])
        if np.isfinite(v):
            return num(float(v))
    return ("pow", a, b)


def neg(a: Node) -> Node:
    if a[0] == "num":
        return num(-a[1])
    if a[0] == "neg":
        return a[1]
    return ("neg", a)


def call(name: str, a: Node) -> Node:
    return ("call", name, a)


# -- tokens ---------------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int  # 0-based


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            assert m is not None  # a digit, or a point and a digit, always starts a number
            out.append(Token("num", m.group(0), i))
            i = m.end()
            continue
        if c.isalpha() or c == "_":
            m = _NAME.match(text, i)
            assert m is not None  # a letter or _ always starts a name
            out.append(Token("name", m.group(0), i))
            i = m.end()
            continue
        if text.startswith("**", i):
            out.append(Token("op", "**", i))
            i += 2
            continue
        if c in "+-*/^()":
            out.append(Token("op", c, i))
            i += 1
            continue
        what = {",": "a comma (write decimals with a point: 1.5)", "=": "an equals sign (type only the right-hand "
                "side: x**2 + y**2)"}.get(c, repr(c))
        raise FormulaError(f"Character {i + 1} is {what}, which a formula cannot hold; use numbers, x, y, "
                           f"+ - * / ** ( ) and {', '.join(FUNCTIONS)}.")
    out.append(Token("end", "", n))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, tok: Token | None = None) -> FormulaError:
        tok = tok or self.tok
        where = "at the end" if tok.kind == "end" else f"at character {tok.pos + 1} ({tok.text!r})"
        return FormulaError(f"{message} {where} of {self.text.strip()!r}.")

    def eat(self, text: str) -> bool:
        if self.tok.kind == "op" and self.tok.text == text:
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        if not self.text.strip():
            raise FormulaError("The formula is empty; type one in x and y, for example x**2 + 3*y**2.")
        node = self.expr()
        if self.tok.kind != "end":
            t = self.tok
            if t.kind in ("num", "name") or t.text == "(":
                raise self.error("Two terms stand side by side without an operator (write 2*x, not 2x)")
            if t.text == ")":
                raise self.error("A closing parenthesis has no opening one")
            raise self.error("Unexpected symbol")
        return node

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"The formula nests deeper than {MAX_DEPTH} levels")

    def expr(self) -> Node:
        node = self.term()
        while True:
            if self.eat("+"):
                node = ("add", node, self.term())
            elif self.eat("-"):
                node = ("sub", node, self.term())
            else:
                return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            if self.eat("*"):
                node = ("mul", node, self.unary())
            elif self.eat("/"):
                node = ("div", node, self.unary())
            else:
                return node

    def unary(self) -> Node:
        self.nested()
        try:
            if self.eat("-"):
                return ("neg", self.unary())
            if self.eat("+"):
                return self.unary()
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> Node:
        base = self.atom()
        if self.eat("**") or self.eat("^"):
            return ("pow", base, self.unary())
        return base

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.i += 1
            return ("num", float(t.text))
        if t.kind == "name":
            self.i += 1
            name = t.text
            if name in ("x", "y"):
                return ("var", name)
            if name in CONSTANTS:
                return ("num", CONSTANTS[name])
            if name in FUNCTIONS or name == "ln":
                if not self.eat("("):
                    raise self.error(f"{name} needs its argument in parentheses, like {name}(x)")
                arg = self.expr()
                if not self.eat(")"):
                    raise self.error(f"The parenthesis after {name} is not closed")
                return ("call", "log" if name == "ln" else name, arg)
            raise FormulaError(f"Unknown name {name!r} at character {t.pos + 1} of {self.text.strip()!r}; "
                               f"a formula knows x, y, pi, e and {', '.join(FUNCTIONS)}.")
        if self.eat("("):
            node = self.expr()
            if not self.eat(")"):
                raise self.error("A parenthesis is not closed")
            return node
        if t.kind == "end":
            raise self.error("The formula stops where a number, x, y or a parenthesis should follow")
        raise self.error("A number, x, y or a parenthesis should stand")


def parse(text: str) -> Node:
    """The tree of ``text``; FormulaError with one sentence if it cannot be parsed."""
    if not isinstance(text, str):
        raise FormulaError(f"A formula must be text; got {text!r}.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula has {len(text)} characters; at most {MAX_LENGTH} are allowed.")
    return _Parser(text).parse()


# -- derivatives ---------------------------------------------------------------------------------------------
def derivative(node: Node, var: str) -> Node:
    """d node / d var, simplified a little (constants folded, zeros and ones dropped)."""
    kind = node[0]
    if kind == "num":
        return ZERO
    if kind == "var":
        return ONE if node[1] == var else ZERO
    if kind == "neg":
        return neg(derivative(node[1], var))
    if kind in ("add", "sub"):
        da, db = derivative(node[1], var), derivative(node[2], var)
        return add(da, db) if kind == "add" else sub(da, db)
    if kind == "mul":
        a, b = node[1], node[2]
        return add(mul(derivative(a, var), b), mul(a, derivative(b, var)))
    if kind == "div":
        a, b = node[1], node[2]
        da, db = derivative(a, var), derivative(b, var)
        if _is(db, 0):
            return div(da, b)
        return div(sub(mul(da, b), mul(a, db)), power(b, TWO))
    if kind == "pow":
        a, b = node[1], node[2]
        da, db = derivative(a, var), derivative(b, var)
        if _is(db, 0):  # a constant exponent: b·a^(b-1)·a'
            return mul(mul(b, power(a, sub(b, ONE))), da)
        # a^b = exp(b·ln a): (a^b)·(b'·ln a + b·a'/a)
        return mul(node, add(mul(db, call("log", a)), div(mul(b, da), a)))
    if kind == "call":
        name, a = node[1], node[2]
        da = derivative(a, var)
        if _is(da, 0):
            return ZERO
        outer = {
            "sin": lambda: call("cos", a),
            "cos": lambda: neg(call("sin", a)),
            "tan": lambda: call("sec2", a),
            "sec2": lambda: mul(mul(TWO, call("sec2", a)), call("tan", a)),
            "exp": lambda: node,
            "log": lambda: div(ONE, a),
            "sqrt": lambda: div(ONE, mul(TWO, node)),
            "abs": lambda: call("sign", a),
            "sign": lambda: ZERO,  # almost everywhere
            "tanh": lambda: sub(ONE, power(node, TWO)),
        }[name]()
        return mul(outer, da)
    raise ValueError(f"not an expression node: {node!r}")


def to_text(node: Node) -> str:
    """The tree as a formula (fully parenthesised where it matters), for showing a derivative."""
    kind = node[0]
    if kind == "num":
        v = node[1]
        return f"{v:g}" if v >= 0 else f"({v:g})"
    if kind == "var":
        return node[1]
    if kind == "neg":
        return f"-{_wrap(node[1], 3)}"
    if kind == "call":
        return f"{node[1]}({to_text(node[2])})"
    op = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "**"}[kind]
    prec = {"add": 1, "sub": 1, "mul": 2, "div": 2, "pow": 4}[kind]
    left = _wrap(node[1], prec + (1 if kind == "pow" else 0))
    right = _wrap(node[2], prec + (0 if kind in ("add", "mul") else 1) - (1 if kind == "pow" else 0))
    return f"{left}{op}{right}"


def _prec(node: Node) -> int:
    return {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}.get(node[0], 5)


def _wrap(node: Node, at_least: int) -> str:
    text = to_text(node)
    return f"({text})" if _prec(node) < at_least else text


# -- evaluation ----------------------------------------------------------------------------------------------
_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "tanh": np.tanh, "sign": np.sign, "sec2": lambda a: 1.0 / np.cos(a) ** 2}


def evaluate(node: Node, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The tree's value at every (x, y) (broadcast), NaN/inf where undefined; never raises."""
    with np.errstate(all="ignore"):
        out = _eval(node, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.broadcast_to(out, np.broadcast_shapes(np.shape(x), np.shape(y))) if np.ndim(out) == 0 else out


def _eval(node: Node, x: np.ndarray, y: np.ndarray):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return x if node[1] == "x" else y
    if kind == "neg":
        return -_eval(node[1], x, y)
    if kind == "call":
        return _UNARY[node[1]](_eval(node[2], x, y))
    a, b = _eval(node[1], x, y), _eval(node[2], x, y)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return np.divide(a, b)
    if kind == "pow":
        if isinstance(b, float) and b == 2.0:
            return a * a
        return np.power(a, b)
    raise ValueError(f"not an expression node: {node!r}")


def domain_problem(node: Node, x: np.ndarray, y: np.ndarray) -> str | None:
    """One sentence on the first place in (x, y) where the formula is undefined or overflows, else None."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    with np.errstate(all="ignore"):
        found = _find_problem(node, x, y)
    if found is None:
        return None
    what, mask = found
    k = int(np.argmax(mask.ravel()))
    return f"{what} at x = {x.ravel()[k]:.4g}, y = {y.ravel()[k]:.4g}" + (
        f" (and {int(mask.sum()) - 1:,} more of the {mask.size:,} points)" if mask.sum() > 1 else "") + "."


def _find_problem(node: Node, x: np.ndarray, y: np.ndarray):
    """(sentence, mask of the points) for the innermost node that turns finite arguments into NaN or inf."""
    kind = node[0]
    if kind in ("num", "var"):
        return None
    children = [node[2]] if kind == "call" else [node[1]] if kind == "neg" else [node[1], node[2]]
    for child in children:
        found = _find_problem(child, x, y)
        if found is not None:
            return found
    args = [np.broadcast_to(_eval(c, x, y), x.shape) for c in children]
    value = np.broadcast_to(_eval(node, x, y), x.shape)
    ok_in = np.ones(x.shape, dtype=bool)
    for a in args:
        ok_in &= np.isfinite(a)
    bad = ok_in & ~np.isfinite(value)
    if not bad.any():
        return None
    text = to_text(node)
    if kind == "call" and node[1] in ("log", "sqrt"):
        a = args[0]
        neg_mask = bad & (a < 0)
        if neg_mask.any():
            return f"{node[1]} of a negative number in {text}", neg_mask
        return f"{node[1]} of zero in {text}", bad
    if kind == "div":
        zero = bad & (args[1] == 0)
        if zero.any():
            return f"division by zero in {text}", zero
    if kind == "pow":
        nan = bad & np.isnan(value)
        if nan.any():
            return f"a negative number to a fractional power in {text}", nan
    return f"overflow (a value too large for a float) in {text}", bad


@dataclass(frozen=True)
class Formula:
    """A parsed formula with its symbolic first and second derivatives."""

    text: str
    tree: Node
    dx: Node
    dy: Node
    dxx: Node
    dxy: Node
    dyy: Node

    @classmethod
    def parse(cls, text: str) -> Formula:
        tree = parse(text)
        dx, dy = derivative(tree, "x"), derivative(tree, "y")
        return cls(text.strip(), tree, dx, dy, derivative(dx, "x"), derivative(dx, "y"), derivative(dy, "y"))

    def value(self, x, y) -> np.ndarray:
        return evaluate(self.tree, x, y)

    def gradient(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return evaluate(self.dx, x, y), evaluate(self.dy, x, y)

    def hessian(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return evaluate(self.dxx, x, y), evaluate(self.dxy, x, y), evaluate(self.dyy, x, y)

    def problem(self, x, y) -> str | None:
        """Where the formula (or its gradient) is undefined over the points, as one sentence, else None."""
        p = domain_problem(self.tree, x, y)
        if p is None:
            for d in (self.dx, self.dy):
                p = domain_problem(d, x, y)
                if p is not None:
                    return f"Its gradient is undefined: {p}"
        return p
