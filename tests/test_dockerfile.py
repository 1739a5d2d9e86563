"""The Dockerfile (images cannot be built here): it runs the README's command, as a non-root
user, from files that exist, with a HEALTHCHECK on /healthz and the port it EXPOSEs."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from bot.config import parse_config

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines()
                                             if not line.lstrip().startswith("#")))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def one(name: str) -> str:
    values = [rest for word, rest in instructions() if word == name]
    assert len(values) == 1, f"expected one {name}, found {values}"
    return values[0]


def readme_run_command() -> list[str]:
    """The README's ``duebot run`` command (the one "Set up" gives), as the virtualenv runs it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    commands = [part.strip() for line in setup.splitlines() for part in line.split("&&")
                if re.match(r"\s*(\S*/)?duebot run\b", part)]
    assert len(commands) == 1, commands
    argv = shlex.split(commands[0])
    argv[0] = Path(argv[0]).name
    return argv


def test_dockerfile_runs_exactly_the_readmes_command() -> None:
    assert json.loads(one("CMD")) == readme_run_command()
    # No ENTRYPOINT: CMD is the whole command line.
    assert all(word != "ENTRYPOINT" for word, _ in instructions())


def test_dockerfile_copies_files_that_exist_including_the_config_it_runs() -> None:
    copied: list[str] = []
    for word, rest in instructions():
        if word == "COPY":
            *sources, _dest = shlex.split(rest)
            for source in sources:
                assert not source.startswith("--"), "no COPY --from: one stage"
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repo"
                copied.append(source)
    config = readme_run_command()[-1]
    assert config in copied or any(config.startswith(f"{c.rstrip('/')}/") for c in copied)
    for needed in ("pyproject.toml", "setup.py", "bot", "templates", "schedules"):
        assert needed in copied, f"{needed} is not copied into the image"
    assert (ROOT / "bot" / "static" / "duebot.js").is_file()
    assert (ROOT / "templates" / "web" / "page.html.j2").is_file()


def test_dockerfile_runs_as_a_non_root_user_and_installs_the_package() -> None:
    assert one("USER") not in ("root", "0")
    installs = [rest for word, rest in instructions() if word == "RUN" and "pip install" in rest]
    assert installs and re.search(r"pip install [^&]*(-e )?\.(\s|$)", installs[0])


def test_dockerfile_listens_where_it_exposes_and_checks_healthz() -> None:
    env = {}
    for word, rest in instructions():
        if word == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    exposed = one("EXPOSE")
    assert env["DUEBOT_HTTP_HOST"] == "0.0.0.0"  # the example config binds 127.0.0.1
    assert env["DUEBOT_HTTP_PORT"] == exposed
    health = one("HEALTHCHECK")
    assert "/healthz" in health and "CMD" in health
    command = json.loads(health.split("CMD", 1)[1])
    compile(command[-1], "<HEALTHCHECK>", "exec")  # the inline script is valid Python
    # With that environment the example config binds where the image EXPOSEs.
    example = ROOT / "config.example.toml"
    config = parse_config(example.read_text(encoding="utf-8"), str(example), base=ROOT,
                          env={k: v for k, v in env.items() if k.startswith("DUEBOT_HTTP_")})
    assert (config.http.host, config.http.port) == ("0.0.0.0", int(exposed))
