"""The typed-formula parser: what it accepts, its one-sentence errors with positions, symbolic derivatives
against finite differences, and domain errors reported instead of raised."""

import numpy as np
import pytest

from gdplay.core.expression import Formula, FormulaError, domain_problem, evaluate, parse

FORMULAS = [
    "x**2 + 3*y**2",
    "sin(x)*cos(y) + 0.1*(x**2 + y**2)",
    "exp(-(x**2 + y**2)/2) - 0.5*exp(-((x - 1)**2 + y**2))",
    "log(1 + x**2 + y**2)",
    "sqrt(1 + x**2) + tanh(y)*x",
    "abs(x - 0.3) + y^2",
    "(x*y - 1)**2/(1 + y**2)",
    "2**x + x**y",  # a variable exponent
    "tan(x/3) - -y",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_gradient_and_hessian_match_finite_differences(text):
    f = Formula.parse(text)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0.5, 1.5, 20), rng.uniform(-1.2, 1.2, 20)  # x > 0: x**y is defined
    if "abs" in text:
        x = x + 0.5  # away from the kink at x = 0.3
    h = 1e-5
    gx, gy = f.gradient(x, y)
    np.testing.assert_allclose(gx, (f.value(x + h, y) - f.value(x - h, y)) / (2 * h), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gy, (f.value(x, y + h) - f.value(x, y - h)) / (2 * h), rtol=1e-6, atol=1e-7)
    hxx, hxy, hyy = (np.broadcast_to(v, x.shape) for v in f.hessian(x, y))
    gxp, gyp = f.gradient(x + h, y)
    gxm, gym = f.gradient(x - h, y)
    np.testing.assert_allclose(hxx, (gxp - gxm) / (2 * h), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hxy, (gyp - gym) / (2 * h), rtol=1e-5, atol=1e-5)
    _, gyp = f.gradient(x, y + h)
    _, gym = f.gradient(x, y - h)
    np.testing.assert_allclose(hyy, (gyp - gym) / (2 * h), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("text, value", [
    ("1 + 2*3", 7.0), ("2**3**2", 512.0), ("-2**2", -4.0), ("2^-1", 0.5), ("(1+2)*3", 9.0), ("8/2/2", 2.0),
    ("-x", -1.5), ("pi", np.pi), ("e", np.e), ("ln(e)", 1.0), ("1e-3*1000", 1.0), (".5 + 1.", 1.5),
    ("abs(-3) + sqrt(4)", 5.0), ("x - y - 1", 1.5),
])
def test_values_and_precedence(text, value):
    assert float(evaluate(parse(text), np.float64(1.5), np.float64(-1.0))) == pytest.approx(value)


@pytest.mark.parametrize("text, words, position", [
    ("2x", "without an operator", "character 2"),
    ("x +", "stops where", "at the end"),
    ("(x + 1", "not closed", "at the end"),
    ("x + 1)", "closing parenthesis", "character 6"),
    ("foo(x)", "Unknown name 'foo'", "character 1"),
    ("sin x", "parentheses", "character 5"),
    ("x, y", "comma", "Character 2"),
    ("x = 1", "equals sign", "Character 3"),
    ("x $ 2", "'$'", "Character 3"),
    ("", "empty", ""),
    ("x * * y", "should stand", "character 5"),
])
def test_parse_errors_are_one_sentence_with_the_position(text, words, position):
    with pytest.raises(FormulaError) as info:
        parse(text)
    message = str(info.value)
    assert words in message and position in message
    assert message.count(". ") <= 1 and message.endswith(".")


def test_parser_never_evaluates_python():
    with pytest.raises(FormulaError):
        parse("__import__('os').system('true')")
    with pytest.raises(FormulaError):
        parse("x.real")
    with pytest.raises(FormulaError, match="nests deeper"):
        parse("-" * 100 + "x")
    with pytest.raises(FormulaError, match="at most"):
        parse("x+" * 400 + "x")


def test_domain_errors_are_reported_not_raised():
    f = Formula.parse("log(x) + sqrt(y)")
    x = np.array([1.0, -1.0, 2.0])
    y = np.array([1.0, 1.0, -4.0])
    with np.errstate(all="raise"):
        v = f.value(x, y)  # no FloatingPointError: errors are silenced inside
    assert np.isfinite(v[0]) and np.isnan(v[1]) and np.isnan(v[2])
    problem = f.problem(x, y)
    assert problem.startswith("log of a negative number in log(x) at x = -1, y = 1")
    assert "sqrt of a negative number" in domain_problem(parse("sqrt(y)"), x, y)
    assert "division by zero" in domain_problem(parse("1/(x - 1)"), x, y)
    assert "overflow" in domain_problem(parse("exp(x**3)"), np.array([20.0]), np.array([0.0]))
    assert "fractional power" in domain_problem(parse("x**0.5"), np.array([-2.0]), np.array([0.0]))
    assert f.problem(np.array([1.0]), np.array([1.0])) is None
