"""Package marker: keeps this folder's conftest.py from shadowing tests/conftest.py."""
