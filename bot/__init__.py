"""duebot: keeps the people of an academic workshop on time."""

__version__ = "0.1.0"
__all__ = ["__version__"]
