"""Starting Django from the command line, with configuration errors made readable."""

from __future__ import annotations

import os
import sys

import click


def django_ready() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closedstacks.conf.settings")
    import django

    from closedstacks.conf.env import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc.name}: {exc.problem}", err=True)
        sys.exit(2)


def fail(message: str) -> None:
    """Stop with a message and exit status 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)
