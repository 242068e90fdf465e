"""The ``grassroots`` console command: Django's management commands under one name.

``grassroots demo`` builds and serves the demo county, ``grassroots serve`` runs gunicorn,
and every other word is passed to Django (``grassroots migrate``, ``grassroots import ...``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["grassroots", *args])


if __name__ == "__main__":
    main()
