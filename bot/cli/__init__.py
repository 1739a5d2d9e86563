"""The command line: the only place that prints for the user and calls ``sys.exit``."""

from bot.cli.main import main

__all__ = ["main"]
