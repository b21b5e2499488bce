"""Torch-comparison scenarios (see ``test_scenarios.py``): each ``<name>.py`` is a standalone
script that prints, under ``if __name__ == "__main__"``, what ``<name>.expected`` records
PyTorch printing.  Some define their custom Functions at module level so that the tests can
import them."""
