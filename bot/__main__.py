"""``python -m bot``: the same as the ``duebot`` command."""

import sys

from bot.cli.main import main

sys.exit(main())
