"""The README's worked examples as data: the web page offers each one click away.

>>> EXAMPLES[0]["formula"], EXAMPLES[0]["shapes"]
('W*a', {'W': 'm,n', 'a': 'n,1'})
"""

from __future__ import annotations


def _example(name, formula, wrt, shapes, kind=None, syntax="text"):
    return {"name": name, "formula": formula, "wrt": wrt, "shapes": shapes, "kind": kind,
            "syntax": syntax}


EXAMPLES = [
    _example("seed 1: W a", "W*a", "W", {"W": "m,n", "a": "n,1"}, "jacobian"),
    _example("W X by X", "W*X", "X", {"W": "m,n", "X": "n,b"}, "jacobian"),
    _example("f(W X) by W", "f(W*X)", "W", {"W": "m,n", "X": "n,b"}),
    _example("quadratic form", "x'*A*x", "x", {"x": "n,1", "A": "n,n"}),
    _example("log det", "logdet(X)", "X", {"X": "n,n"}),
    _example("trace", "tr(A*X*B)", "X", {"A": "p,m", "X": "m,n", "B": "n,p"}),
    _example("inverse", "inv(X)", "X", {"X": "n,n"}, "jacobian"),
    _example("least squares", "norm(A*x - b)^2", "x", {"A": "m,n", "x": "n,1", "b": "m,1"}),
    _example("4-index tensor", "A*X*B", "X", {"A": "p,m", "X": "m,n", "B": "n,q"}, "tensor"),
    _example("Hessian of log det", "logdet(X)", "X", {"X": "n,n"}, "hessian"),
    _example("two-layer network", "sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
             {"W1": "h,n", "x": "n,1", "b1": "h,1", "W2": "k,h", "b2": "k,1", "y": "k,1"}),
    _example("logistic loss, Hessian", "sum(log(1 + exp(-y .* (X*w))))", "w",
             {"X": "n,d", "w": "d,1", "y": "n,1"}, "hessian"),
    _example("softmax cross-entropy", "log(sum(exp(W*x))) - y'*W*x", "W",
             {"W": "k,d", "x": "d,1", "y": "k,1"}),
    _example("LaTeX: trace", r"\operatorname{tr}(A X B)", "X",
             {"A": "p,m", "X": "m,n", "B": "n,p"}, syntax="latex"),
    _example("LaTeX: least squares", r"\frac{1}{2}\|A x - b\|_2^2", "x",
             {"A": "m,n", "x": "n,1", "b": "m,1"}, syntax="latex"),
]
