"""The one thing pyproject.toml cannot say: the top-level ``templates/`` folder (where the
design card and the organizers keep it) is installed as ``bot/templates``, so a wheel or a
plain ``pip install .`` carries the message templates, the dates page and ``locale/*.po``.
Everything else about the package is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["bot*"]), "bot.templates"],
      package_dir={"bot.templates": "templates"})
