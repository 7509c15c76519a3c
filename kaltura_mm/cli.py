"""The ``kaltura-mm`` command line: ``main(argv) -> int``; ``run()`` is the console entry point."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click


@click.group()
@click.version_option(package_name="kaltura-mm")
def cli() -> None:
    """Manage Kaltura media from the shell."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` and return the exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
