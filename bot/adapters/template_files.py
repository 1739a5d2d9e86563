"""Read message templates from disk: the edge in front of the pure ``bot.core.render``."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.schedule_files import display_path
from bot.core.render import CATALOGS, REQUIRED
from bot.errors import TemplateError

TEMPLATES_DIR = "templates"
WEB_DIR = "web"


def _shipped() -> Path:
    """``bot/templates`` in an installed wheel (setup.py maps the top-level folder there),
    else the checkout's top-level ``templates/`` (an editable install, or ``python -m bot``)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / TEMPLATES_DIR
    return installed if installed.is_dir() else package.parent / TEMPLATES_DIR


SHIPPED_TEMPLATES = _shipped()
"""The templates that ship with duebot, found from the code itself: never guessed from the
working directory (an operator's folder with ``schedules/`` but no ``templates/`` made every
reminder fail to render)."""


def load_templates(folder: Path | None = None, *, override: Path | None = None
                   ) -> dict[str, str]:
    """Every ``*.j2`` file under ``folder`` (default: the shipped ones), by its relative path,
    and the gettext catalogs ``locale/CODE.po`` that translate them (read as text: the
    renderer parses them, so nothing is compiled and no ``.mo`` file is needed).

    ``override`` is the operator's own folder (``[templates] folder``): looked up first, as a
    Jinja2 ChoiceLoader would, so a file there replaces the shipped one of the same name (an
    ``{% include %}`` of it too) and a new name adds a template (``--template NAME``).

    A missing folder, an unreadable file or a missing reminder template is a TemplateError
    here, before anything is rendered.
    """
    templates = _read_folder(folder if folder is not None else SHIPPED_TEMPLATES)
    if override is not None:
        templates.update(_read_folder(override))
    root = folder if folder is not None else SHIPPED_TEMPLATES
    missing = [name for name in REQUIRED if name not in templates]
    if missing:
        raise TemplateError(f"missing template{'s' if len(missing) > 1 else ''}: "
                            f"{', '.join(missing)}", file=display_path(root))
    return templates


def _read_folder(root: Path) -> dict[str, str]:
    if not root.is_dir():
        raise TemplateError("no such template folder", file=display_path(root))
    templates: dict[str, str] = {}
    catalogs = sorted((root / CATALOGS).glob("*.po")) if (root / CATALOGS).is_dir() else []
    for path in [*sorted(root.rglob("*.j2")), *catalogs]:
        if path.relative_to(root).parts[0] == WEB_DIR:
            continue  # the dates page's own templates: bot.adapters.http loads them, unsandboxed
        try:
            templates[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                file=display_path(path)) from None
        except OSError as exc:
            raise TemplateError(f"cannot read: {exc.strerror}",
                                file=display_path(path)) from None
    return templates
