"""Helpers the test modules share, one module per concern; fixtures stay in conftest.py."""
