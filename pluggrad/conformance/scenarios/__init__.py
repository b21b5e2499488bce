"""Torch-comparison scenarios (run by ``test_scenarios.py``): each ``<name>.py`` is a standalone
script that prints what ``<name>.expected`` records PyTorch printing.

``custom_function``, ``mark_dirty``, ``once_differentiable`` and ``inference_mode`` define their
Functions at module level and print from ``main()`` under ``if __name__ == "__main__"``: the
tests import those definitions, and importing must print nothing."""
