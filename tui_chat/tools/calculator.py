"""A calculator that cannot run code: the expression is parsed with `ast`, never evaluated by Python.

Only numbers, parentheses and the arithmetic operators are allowed (`+ - * / // % **`, unary `+`/`-`);
names, calls, attributes, subscripts and everything else are refused. Exponents and the size of every
intermediate result are bounded, so no expression can take long or eat memory.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

MAX_EXPRESSION = 500
"""Characters in an expression."""
MAX_EXPONENT = 1000
"""The largest exponent `**` takes (and only with a small base)."""
MAX_DIGITS = 400
"""An integer result may have at most this many digits."""
MAX_NODES = 200
"""Numbers and operators in an expression."""


class CalculatorError(ValueError):
    """The expression is not allowed or cannot be computed; the message says why."""


Number = int | float

_BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def calculate(expression: str) -> Number:
    """The value of an arithmetic expression such as `(2 + 3) * 4 ** 2 / 7`."""
    text = expression.strip().replace("^", "**").replace("×", "*").replace("÷", "/")
    if not text:
        raise CalculatorError("The expression is empty.")
    if len(text) > MAX_EXPRESSION:
        raise CalculatorError(f"The expression is longer than {MAX_EXPRESSION} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise CalculatorError(f"Not an arithmetic expression: {text!r}.") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES * 2:
        raise CalculatorError("The expression is too long.")
    return _checked(_value(tree.body))


def _value(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return _checked(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow):
            return _checked(_power(left, right))
        operation = _BINARY.get(type(node.op))
        if operation is not None:
            try:
                return _checked(operation(left, right))
            except ZeroDivisionError:
                raise CalculatorError("Division by zero.") from None
            except OverflowError:
                raise CalculatorError("The result is too large.") from None
    raise CalculatorError(f"Only numbers and + - * / // % ** ( ) are allowed, not {_describe(node)}.")


def _power(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise CalculatorError(f"Exponents above {MAX_EXPONENT} are not computed.")
    big = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and base not in (0, 1, -1)
    if big and exponent * math.log10(abs(base)) > MAX_DIGITS:
        raise CalculatorError(f"The result would have more than {MAX_DIGITS} digits.")
    try:
        result: Number = base**exponent
    except ZeroDivisionError:
        raise CalculatorError("Zero cannot be raised to a negative power.") from None
    except OverflowError:
        raise CalculatorError("The result is too large.") from None
    if isinstance(result, complex):
        raise CalculatorError("The result is not a real number.")
    return result


def _checked(value: Number) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("The result is not a finite number.")
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
        raise CalculatorError(f"The result would have more than {MAX_DIGITS} digits.")
    return value


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    if isinstance(node, ast.Call):
        return "a function call"
    if isinstance(node, ast.Constant):
        return f"the value {node.value!r}"
    return type(node).__name__


def format_number(value: Number) -> str:
    """A result as people write it: integers whole, floats without float noise (`0.1 + 0.2` is 0.3)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.15g}"
