"""pluggrad's benchmark suite: pluggrad against torch, JAX, HIPS autograd and hand-written NumPy.

``python -m benchmarks.run`` (or ``nox -s bench``) measures every framework on every workload,
each in its own subprocess, and writes ``benchmarks/results/``.  See ``benchmarks/README.md``.

Modules
-------
problems
    The workloads: shared inputs (fixed seed), the reference gradients and the gradient check.
frameworks
    The frameworks compared: which implementation module, environment and libraries each needs.
workloads
    One implementation module per framework family (torch-like, functional, hand-written NumPy).
worker
    The subprocess that builds one (framework, workload) pair, checks it and times it.
run
    The orchestrator (command line), rounds in rotating order, medians.
report
    The Markdown table, the JSON record and the plot.
"""
