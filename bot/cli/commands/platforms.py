"""``duebot discord register``: set-up steps a chat platform wants done once through its API."""

from __future__ import annotations

import argparse

from bot.cli.common import config_of


def cmd_discord(args: argparse.Namespace) -> int:
    """``duebot discord register``: create or update the slash command (Discord upserts)."""
    from bot.adapters.discord import register_command
    settings = config_of(args).discord
    if args.guild:
        from dataclasses import replace

        settings = replace(settings, guild_id=args.guild)
    answer = register_command(settings)
    where = f"server {settings.guild_id}" if settings.guild_id else "every server (global)"
    print(f"registered /{settings.command} (command id {answer.get('id', '?')}) for {where}; "
          f"set the Interactions Endpoint URL to https://YOUR-HOST/discord/interactions")
    return 0
