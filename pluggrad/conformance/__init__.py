"""pluggrad's conformance suite: the tests every backend must pass.

It ships with the package so that the author of a third-party backend can run it against
theirs: ``python -m pluggrad check-backend NAME``, or with pytest directly::

    pytest --pyargs pluggrad.conformance -p pluggrad.conformance.plugin --backend NAME

The op database (:mod:`pluggrad.conformance.op_db`) drives the derivative tests: forward
values, gradcheck and gradgradcheck in float64, the jax.vjp oracle and cross-backend agreement.
The other modules are scenarios for the engine, grad modes, in-place operations, autograd
tools, the namespace, property tests, and the founding tutorial's 23 examples
(``tutorial/``, each with the output PyTorch prints).  Running it needs the ``test`` extra
(pytest, hypothesis).
"""
