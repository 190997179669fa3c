#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def without_django_hint() -> str:
    """What to do when this Python lacks Django: the project's virtualenv is not active."""
    if (Path(__file__).resolve().parent / ".venv").is_dir():
        return (
            "Django is not installed for this Python: run `source .venv/bin/activate` first "
            "(or use .venv/bin/python)."
        )
    return "Django is not installed for this Python: run `make run` once; it creates .venv."


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
    except ModuleNotFoundError as exc:
        if exc.name != "django":
            raise
        sys.exit(without_django_hint())

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (such as a missing secret key) is the operator's to fix:
        # say what it is, in one line, as commands report their errors.
        sys.exit(f"ImproperlyConfigured: {exc}")


if __name__ == "__main__":
    main()
