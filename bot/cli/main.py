"""The ``duebot`` command: the only place that prints for the user and calls ``sys.exit``.

Every user mistake arrives here as a DuebotError and leaves as ``FILE:LINE: error: ...`` with
exit status 1, as does a database that failed a statement (a StorageError: a table dropped by
hand, a full disk); a traceback means a bug in duebot.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.adapters.zone_data import use_newest
from bot.cli.common import report
from bot.cli.parser import build_parser
from bot.errors import DuebotError, Problem, StorageError

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    use_newest()  # before any zone is read: the newer of the system's rules and tzdata's
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except DuebotError as exc:
        report(exc.problems)
        return 1
    except StorageError as exc:  # the database's words, said as an error, not a traceback
        report([Problem(message=str(exc))])
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
