"""Use cases over the ports (delivery, subscriptions, conversations ...): what duebot does,
apart from how it talks to the outside, so every front end runs the same rules."""
