"""``duebot``'s arguments: one subparser a command, each naming its handler."""

from __future__ import annotations

import argparse
from typing import Any

from bot import __version__
from bot.cli.commands.ask import cmd_ask
from bot.cli.commands.import_cfp import cmd_import_cfp
from bot.cli.commands.organizers import (
    cmd_announce,
    cmd_announcements,
    cmd_approve,
    cmd_cancel,
    cmd_cancel_date,
    cmd_extend,
    cmd_outbox,
)
from bot.cli.commands.platforms import cmd_discord
from bot.cli.commands.schedules import cmd_ics, cmd_reminders, cmd_validate
from bot.cli.commands.service import cmd_db, cmd_deliver, cmd_run, cmd_status


def _acting(parser: Any, config_help: str, *, by: bool = True) -> None:
    """--by, --now and --config: who acts, when, and on which ledger (every organizer command)."""
    if by:
        parser.add_argument("--by", metavar="NAME",
                            help="who is acting, for the audit log (default: $USER)")
    parser.add_argument("--now", metavar="ISO",
                        help="act as if it were this instant (default: the clock)")
    parser.add_argument("--config", metavar="FILE", help=config_help)


def _add_organizer_commands(sub: Any, config_help: str) -> None:
    announce = sub.add_parser(
        "announce", help="schedule an announcement (or --preview it)",
        description="Schedule an announcement at an instant or relative to a date "
                    "(abstract-2d, notification+1h, workshop): relative ones move with the date.")
    announce.add_argument("--schedule", metavar="S", help="event id or schedule file")
    announce.add_argument("--at", required=True, metavar="WHEN",
                          help="\"2017-09-01 09:00 America/Los_Angeles\", an ISO instant with its "
                               "offset, or DATE-ID[+-DURATION]")
    announce.add_argument("--to", nargs="+", action="append", metavar="DEST",
                          help="destinations (default: the schedule's reminders_to)")
    what = announce.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="T", help="the message, as plain text")
    what.add_argument("--template", metavar="NAME",
                      help="templates/NAME.subject.j2, NAME.txt.j2 and NAME.html.j2")
    announce.add_argument("--id", metavar="ID", help="its id (default: a1, a2 ...)")
    announce.add_argument("--preview", action="store_true",
                          help="show exactly what each destination receives; save nothing")
    _acting(announce, config_help)
    announce.set_defaults(handler=cmd_announce)

    listing = sub.add_parser("announcements", help="list announcements and their deliveries")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--config", metavar="FILE", help=config_help)
    listing.set_defaults(handler=cmd_announcements)

    cancel = sub.add_parser("cancel", help="cancel an unsent announcement")
    cancel.add_argument("id", metavar="ID", help="the announcement's id")
    _acting(cancel, config_help)
    cancel.set_defaults(handler=cmd_cancel)

    outbox = sub.add_parser("outbox", help="deliveries waiting for approval",
                            description="What waits for `duebot approve` (schedules with "
                                        "approve = true), with the subject it would go with; "
                                        "before `deliver --once` or `run` planned the "
                                        "ledger, what will wait there. Only reads.")
    _acting(outbox, config_help, by=False)
    outbox.set_defaults(handler=cmd_outbox)

    approve = sub.add_parser("approve", help="let waiting deliveries go")
    approve.add_argument("ids", nargs="*", metavar="ID",
                         help="reminder ids, announcement ids or delivery keys")
    approve.add_argument("--all", action="store_true", help="everything in the outbox")
    _acting(approve, config_help)
    approve.set_defaults(handler=cmd_approve)

    extend = sub.add_parser(
        "extend", help="move a date (edits the schedule file, keeps its comments)",
        description="Set a date's time in the schedule file, record extended_from and bump "
                    "its sequence; with --config, re-time its unsent reminders and log who "
                    "did it.")
    extend.add_argument("date_id", metavar="DATE-ID")
    extend.add_argument("new_time", metavar="NEW-TIME",
                        help="local time in the date's zone, e.g. \"2017-09-17 23:59\"")
    extend.add_argument("--schedule", metavar="S", help="event id or schedule file")
    extend.add_argument("--announce", action="store_true",
                        help="queue an \"extended\" announcement to the schedule's destinations")
    _acting(extend, config_help)
    extend.set_defaults(handler=cmd_extend)

    cancel_date = sub.add_parser("cancel-date", help="cancel a date (STATUS:CANCELLED, no "
                                                     "reminders)")
    cancel_date.add_argument("date_id", metavar="DATE-ID")
    cancel_date.add_argument("--schedule", metavar="S", help="event id or schedule file")
    _acting(cancel_date, config_help)
    cancel_date.set_defaults(handler=cmd_cancel_date)



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duebot",
        description="Keeps the people of an academic workshop on time: answers 'when is the "
                    "deadline?', plans reminders, and writes the calendar feed.",
    )
    parser.add_argument("--version", action="version", version=f"duebot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser("validate", help="check schedule files for errors and doubts",
                              description="Check schedules (and with --config, the config): "
                                          "errors exit 1, warnings exit 0. "
                                          "Output: FILE:LINE: error|warning: message.")
    validate.add_argument("files", nargs="*", metavar="FILES",
                          help="schedule files (default: every file in schedules/)")
    validate.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    validate.add_argument("--config", metavar="FILE",
                          help="check this config file too (keys, destinations, [http] "
                               "base_url, what `run` checks at start); without FILES, check "
                               "the schedules it lists")
    validate.set_defaults(handler=cmd_validate)

    ask = sub.add_parser("ask", help="answer a participant's question",
                         description="Answer a question such as 'when is the deadline?'.")
    ask.add_argument("question", nargs="+", help="the question, in plain words")
    ask.add_argument("--schedule", metavar="FILE",
                     help="schedule file (optional when schedules/ holds exactly one)")
    ask.add_argument("--config", metavar="FILE",
                     help="the schedule this config lists (when it lists one)")
    ask.add_argument("--tz", metavar="ZONE",
                     help="the asker's zone (IANA name, AoE, UTC+08:00, a city or country "
                          "such as Beijing ...); default: the event's zone")
    ask.add_argument("--now", metavar="ISO", help="the current instant, with its zone "
                                                   "(default: the clock)")
    ask.add_argument("--json", action="store_true", help="print a JSON object")
    ask.add_argument("--explain", action="store_true",
                     help="show how the question was read: language, zone named, spans "
                          "matched, clauses and their topics, the plan of the reply")
    ask.set_defaults(handler=cmd_ask)

    reminders = sub.add_parser("reminders", help="show the reminder plan",
                               description="Which reminders go out when, from the schedule's "
                                           "policy.")
    reminders.add_argument("--schedule", metavar="FILE", help="schedule file")
    reminders.add_argument("--from", dest="start", metavar="ISO",
                           help="only reminders due at or after this instant")
    reminders.add_argument("--to", dest="end", metavar="ISO",
                           help="only reminders due before this instant")
    reminders.add_argument("--now", metavar="ISO",
                           help="rehearse as if it were then: the reminders still to go out "
                                "(as --from; --from wins when both are given)")
    reminders.add_argument("--json", action="store_true", help="print a JSON object")
    reminders.add_argument("--config", metavar="FILE",
                           help="the schedule this config lists (and its [templates] folder)")
    reminders.set_defaults(handler=cmd_reminders)

    ics = sub.add_parser("ics", help="write the iCalendar feed",
                         description="Write an RFC 5545 calendar of the schedule's dates. "
                                     "With --config, each SEQUENCE is the one its ledger "
                                     "serves (hand edits counted, as /calendar.ics); else the "
                                     "schedule's own (`sequence`, raised by `duebot extend`).")
    ics.add_argument("--schedule", metavar="FILE", help="schedule file")
    ics.add_argument("--config", metavar="FILE",
                     help="every schedule this config lists, in one calendar (as "
                          "/calendar.ics serves them)")
    ics.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    ics.set_defaults(handler=cmd_ics)

    import_cfp = sub.add_parser(
        "import-cfp", help="draft a schedule from a call for papers",
        description="Read a call for papers (Markdown, text, HTML or PDF) and write a draft "
                    "schedule TOML; every guess is a comment in the TOML and a FILE:LINE: warning.")
    import_cfp.add_argument("source", metavar="SOURCE", help="the call's file, or - for stdin")
    import_cfp.add_argument("-o", "--output", metavar="FILE",
                            help="write the schedule here (default: stdout)")
    import_cfp.add_argument("--zone", metavar="ZONE",
                            help="zone for times the call gives without one: an IANA name, "
                                 "AoE, UTC+08:00, a city or country such as Beijing (default: "
                                 "the call's own, else AoE, flagged)")
    import_cfp.add_argument("--year", type=int, metavar="YEAR",
                            help="year for dates printed without one")
    import_cfp.set_defaults(handler=cmd_import_cfp)
    config_help = "config file (default: the embedded default: shipped schedules, SQLite, console)"
    run = sub.add_parser("run", help="run the service: reconcile, send reminders, serve HTTP",
                         description="Start the long-running service. Stops cleanly on SIGINT or "
                                     "SIGTERM.")
    run.add_argument("--config", metavar="FILE", help=config_help)
    run.set_defaults(handler=cmd_run)

    deliver = sub.add_parser("deliver", help="send everything due now and exit (cron mode)",
                             description="Reconcile, send everything due as of now, and exit.")
    deliver.add_argument("--once", action="store_true", help="required: one pass, then exit")
    deliver.add_argument("--now", metavar="ISO", help="act as if it were this instant "
                                                      "(backfill or rehearsal)")
    deliver.add_argument("--dry-run", action="store_true", help="show what would happen; "
                                                                "record and send nothing")
    deliver.add_argument("--config", metavar="FILE", help=config_help)
    deliver.set_defaults(handler=cmd_deliver)

    status = sub.add_parser("status", help="what was sent, what is next, what failed",
                            description="Per schedule: sent, next, failed (with reasons).")
    status.add_argument("--config", metavar="FILE", help=config_help)
    status.add_argument("--now", metavar="ISO", help="judge 'next' from this instant")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(handler=cmd_status)

    db = sub.add_parser("db", help="ledger schema: upgrade or show the revision",
                        description="Manage the ledger's schema (alembic migrations).")
    db.add_argument("action", choices=["upgrade", "current"], help="what to do")
    db.add_argument("--config", metavar="FILE", help=config_help)
    db.set_defaults(handler=cmd_db)
    _add_organizer_commands(sub, config_help)
    _add_platform_commands(sub, config_help)
    return parser


def _add_platform_commands(sub: Any, config_help: str) -> None:
    discord = sub.add_parser("discord", help="Discord: register the slash command",
                             description="Create or update duebot's slash command with "
                                         "Discord's API (DISCORD_BOT_TOKEN, [discord] "
                                         "application_id).")
    discord.add_argument("action", choices=["register"], help="what to do")
    discord.add_argument("--guild", metavar="ID", help="register in this server only (shows "
                                                       "at once; global commands may take a "
                                                       "while)")
    discord.add_argument("--config", metavar="FILE", help=config_help)
    discord.set_defaults(handler=cmd_discord)
