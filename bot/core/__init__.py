"""The pure core: schedules, plans, answers and feeds as values, with no I/O, clock or
environment (``now`` and the reader's zone are parameters), so it is tested without stand-ins."""
