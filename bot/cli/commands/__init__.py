"""The handlers of ``duebot``'s subcommands, by area; each takes the parsed arguments and returns
the exit status."""
