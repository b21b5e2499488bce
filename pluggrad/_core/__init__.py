"""The lower layer of autograd: grad mode and anomaly state, hooks, graph nodes, the Tensor's
state, the primitive/apply machinery and the engine.

It imports only :mod:`pluggrad._dtypes` and :mod:`pluggrad.backends`; no operation.  The layers
above attach the Tensor's operators and methods (:mod:`pluggrad._tensor_methods`) and give each
backend the namespace its derivative formulas run against (``backend.tensor_ns``).  See
docs/architecture.md.
"""
