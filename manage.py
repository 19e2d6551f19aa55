#!/usr/bin/env python
"""Django's command-line utility: the developer's door to the project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is what a developer runs (`uv run manage.py demo`), so it starts in
    # debug mode unless told otherwise; wsgi.py and asgi.py, the production doors,
    # do not, and production then insists on a real secret key and host list.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
