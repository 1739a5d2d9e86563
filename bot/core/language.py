"""The reader's language: translated message text, and dates as CLDR writes them in it.

A ``Language`` bundles a gettext catalog (read from a ``.po`` file's lines by
``read_catalog``: the catalog is committed as source and never compiled to ``.mo``) with the
date formatting that goes with it. English is the default and keeps ``bot.core.timefmt``'s
wording byte for byte; Chinese dates come from Babel's CLDR data (``bot.core.ask.zh``): weekday,
24-hour clock, zone names. Pure: the caller reads the files.

``bot.core.ask.zh`` is imported where a Chinese date is written, not at the top: importing it
loads the whole ``bot.core.ask`` package (its reader builds its tables, ~0.1 s), which
``duebot run`` does not otherwise need on its way to serving.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from gettext import c2py
from types import MappingProxyType

from babel.core import negotiate_locale
from babel.messages.pofile import read_po

from bot.core import timefmt
from bot.core.model import ImportantDate
from bot.core.zones import Zone

DEFAULT = "en"
NAMES: Mapping[str, str] = MappingProxyType({"en": "English", "zh": "中文 (Chinese)"})
_TAGS: Mapping[str, str] = MappingProxyType({"zh": "zh-Hans"})
"""BCP 47 tags for HTML's ``lang``: the catalog is simplified Chinese."""
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# What people write for a language, folded: "zh-Hans", "zh_CN", "Chinese", "中文" are all zh.
_ALIASES: Mapping[str, str] = MappingProxyType({
    "en": "en", "english": "en", "英文": "en", "英语": "en",
    "zh": "zh", "chinese": "zh", "mandarin": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh",
    "普通话": "zh", "cn": "zh"})


def language_code(text: str) -> str | None:
    """``zh`` for "zh-Hans", "zh_CN", "Chinese", "中文"; ``en`` for "en-GB"; None if unknown."""
    word = text.strip().casefold().replace("_", "-")
    if word in _ALIASES:
        return _ALIASES[word]
    base = word.split("-", 1)[0]
    return base if base in ("en", "zh") else None


def language_of(text: str) -> str | None:
    """``zh`` for a message written with Chinese characters; None when it does not say (Latin
    letters are English, French, German...: not a language we can tell)."""
    return "zh" if _HAN.search(text) else None


def accepted(header: str, available: Iterable[str]) -> str | None:
    """The first of ``available`` that a browser's ``Accept-Language`` asks for, by ``q`` and
    then by order (``zh-CN,zh;q=0.9,en;q=0.8`` -> ``zh``); None if it asks for none of them.
    Babel's ``negotiate_locale`` matches ``zh-TW`` to ``zh`` and ``en-GB`` to ``en``."""
    wanted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip().lower().replace("_", "-")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((-quality, index, tag))
    found = negotiate_locale([tag for _, _, tag in sorted(wanted)],
                             [code.lower() for code in available], sep="-")
    return language_code(found) if found else None


def N_(message: str) -> str:
    """Marks a message for the catalog (``pybabel extract`` knows ``N_``); translated later."""
    return message


def _one(n: int) -> int:
    return 0 if n == 1 else 1


@dataclass(frozen=True, eq=False)
class Language:
    """Translated text (gettext) and date formatting for one language."""

    code: str = DEFAULT
    messages: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    plural: Callable[[int], int] = _one

    def gettext(self, message: str) -> str:
        found = self.messages.get(message)
        return found[0] if found and found[0] else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.messages.get(singular)
        if found and all(found):
            index = self.plural(n)
            return found[index] if index < len(found) else found[-1]
        return singular if n == 1 else plural

    @property
    def tag(self) -> str:
        """The language as HTML's ``lang`` names it: ``en``, ``zh-Hans``."""
        return _TAGS.get(self.code, self.code)

    # -- dates ------------------------------------------------------------------------------

    def day(self, value: date) -> str:
        """``Tuesday 10 October 2017`` / ``2017年10月10日星期二``."""
        if self.code != "zh":
            return timefmt.format_day(value)
        from bot.core.ask import zh  # here, not at the top: see the module's note

        return zh.format_day(value)

    def instant(self, moment: datetime, zone: Zone, day_end: bool = False) -> str:
        """``Monday 11 September 2017, 14:59 CST`` / ``2017年9月11日星期一 14:59 CST``;
        ``day_end``: a "24:00" as the end of its day (``timefmt.format_instant``)."""
        if self.code != "zh":
            return timefmt.format_instant(moment, zone, day_end)
        from bot.core.ask import zh  # here, not at the top: see the module's note

        named = timefmt.closing_reading(moment, zone) if timefmt.ended_day(
            moment, zone, day_end) else moment
        return f"{zh.format_instant(moment, zone, day_end)} {zone.abbreviation(named)}"

    def caption(self, zone: Zone, moment: datetime) -> str:
        """``Asia/Shanghai, UTC+08:00`` / ``中国标准时间，UTC+08:00``."""
        if self.code != "zh":
            return timefmt.zone_caption(zone, moment)
        from bot.core.ask import zh  # here, not at the top: see the module's note

        return zh.zone_name(zone, moment)

    def countdown(self, delta: timedelta) -> str:
        """``9 days 18 hours`` / ``9天18小时``."""
        if self.code != "zh":
            return timefmt.countdown(delta)
        from bot.core.ask import zh  # here, not at the top: see the module's note

        return zh.countdown(delta)

    def paren(self, text: str) -> str:
        """`` (text)``, with the full-width brackets Chinese uses."""
        return f"（{text}）" if self.code == "zh" else f" ({text})"

    def days(self, when: ImportantDate) -> str:
        """An all-day date's day, or its first and last day."""
        return timefmt.day_span(when, self)

    def sentence(self, when: ImportantDate, now: datetime, reader: Zone | None = None) -> str:
        """A date in the reader's zone with the date's own zone beside it and the time left:
        ``bot.core.timefmt.describe`` said in this language (one piece of code for every
        language, so in English it is ``describe(...).sentence()`` itself)."""
        return timefmt.describe(when, now, reader, self).sentence()


ENGLISH = Language()


def read_catalog(lines: Iterable[str], code: str) -> Language:
    """A language from a ``.po`` file's lines; fuzzy and untranslated entries are left out,
    so they show in English rather than wrong. ValueError if the file does not parse."""
    try:
        catalog = read_po(list(lines), locale=code, abort_invalid=True)
    except Exception as exc:  # babel raises PoFileError, or ValueError for a bad locale
        raise ValueError(f"not a gettext catalog: {exc}") from None
    messages: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        raw = message.string
        strings = tuple(str(s or "") for s in (raw if isinstance(raw, (tuple, list)) else (raw,)))
        if all(strings):
            messages[key] = strings
    plural = c2py(catalog.plural_expr) if catalog.plural_expr else _one
    return Language(code=re.split(r"[-_]", code)[0], messages=MappingProxyType(messages),
                    plural=plural)


__all__ = ["DEFAULT", "ENGLISH", "NAMES", "N_", "Language", "accepted", "language_code",
           "language_of", "read_catalog"]
