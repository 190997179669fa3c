#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (such as a missing secret key) is the operator's to fix:
        # say what it is, in one line, as commands report their errors.
        sys.exit(f"ImproperlyConfigured: {exc}")


if __name__ == "__main__":
    main()
