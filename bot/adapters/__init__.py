"""Edges that talk to the outside world (SMTP, console, Slack, HTTP): the only vendor imports."""
