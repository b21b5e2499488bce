"""Elementwise functions of the array API, differentiable where the math allows."""

from __future__ import annotations

from .._tensor import Tensor
from ._args import as_tensor_arg, binary_operands
from ._primitive import Primitive, apply

__all__ = [
    "add", "subtract", "multiply", "divide", "pow", "negative",
    "exp", "log", "sqrt", "sin", "cos", "tanh",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
    "isnan", "isinf", "isfinite",
]  # fmt: skip


def _unary(name: str, doc: str):
    prim = Primitive(name, ("x",), elementwise=True)

    def function(x, /) -> Tensor:
        if type(x) is not Tensor:
            x = as_tensor_arg(x)
        return apply(prim, (x,))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.primitive = prim
    return function


def _binary(name: str, doc: str):
    prim = Primitive(name, ("x1", "x2"), elementwise=True)

    def function(x1, x2, /) -> Tensor:
        if type(x1) is not Tensor or type(x2) is not Tensor:
            x1, x2 = binary_operands(x1, x2)
        return apply(prim, (x1, x2))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.primitive = prim
    return function


# ---- arithmetic --------------------------------------------------------------------------------
add = _binary("add", "Elementwise ``x1 + x2`` (broadcasting; Python scalars are weak).")
subtract = _binary("subtract", "Elementwise ``x1 - x2``.")
multiply = _binary("multiply", "Elementwise ``x1 * x2``.")
divide = _binary("divide", "Elementwise true division ``x1 / x2``.")
pow = _binary("pow", "Elementwise ``x1 ** x2``.")  # noqa: A001 - the array API name
negative = _unary("negative", "Elementwise ``-x``.")

# ---- exponential, logarithm, trigonometric ----------------------------------------------------
exp = _unary("exp", "Elementwise exponential.")
log = _unary("log", "Elementwise natural logarithm.")
sqrt = _unary("sqrt", "Elementwise square root.")
sin = _unary("sin", "Elementwise sine.")
cos = _unary("cos", "Elementwise cosine.")
tanh = _unary("tanh", "Elementwise hyperbolic tangent.")

# ---- comparisons and logic (not differentiable: boolean results) -----------------------------
equal = _binary("equal", "Elementwise ``x1 == x2`` (boolean result).")
not_equal = _binary("not_equal", "Elementwise ``x1 != x2`` (boolean result).")
less = _binary("less", "Elementwise ``x1 < x2`` (boolean result).")
less_equal = _binary("less_equal", "Elementwise ``x1 <= x2`` (boolean result).")
greater = _binary("greater", "Elementwise ``x1 > x2`` (boolean result).")
greater_equal = _binary("greater_equal", "Elementwise ``x1 >= x2`` (boolean result).")
logical_and = _binary("logical_and", "Elementwise logical AND.")
logical_or = _binary("logical_or", "Elementwise logical OR.")
logical_xor = _binary("logical_xor", "Elementwise logical XOR.")
logical_not = _unary("logical_not", "Elementwise logical NOT.")
bitwise_and = _binary("bitwise_and", "Elementwise ``x1 & x2`` (integers and booleans).")
bitwise_or = _binary("bitwise_or", "Elementwise ``x1 | x2`` (integers and booleans).")
bitwise_xor = _binary("bitwise_xor", "Elementwise ``x1 ^ x2`` (integers and booleans).")
bitwise_invert = _unary("bitwise_invert", "Elementwise ``~x`` (integers and booleans).")
isnan = _unary("isnan", "Elementwise test for NaN.")
isinf = _unary("isinf", "Elementwise test for positive or negative infinity.")
isfinite = _unary("isfinite", "Elementwise test for finite values.")

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
        "logical_and", "logical_or", "logical_xor", "logical_not",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
        "isnan", "isinf", "isfinite",
    }
)  # fmt: skip

TENSOR_METHODS: dict = {
    "add": add,
    "sub": subtract,
    "mul": multiply,
    "div": divide,
    "pow": pow,
    "neg": negative,
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "sin": sin,
    "cos": cos,
    "tanh": tanh,
}
