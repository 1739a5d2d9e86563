"""Place and zone names people write ("Bangalore", "北京", "Central European time", "IST") -> zones.

Built once, from data rather than a hand table: every IANA zone's exemplar city in English and
Chinese (CLDR through Babel), every country's name in both languages, every CLDR metazone name
("Pacific Time", "中欧时间"), plus the aliases CLDR lacks (Beijing, Bangalore, Silicon Valley...)
and the abbreviations people use, with the ambiguous ones (IST, CST, BST, AST) kept ambiguous.

Pure: no I/O beyond Babel's packaged data, no clock.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

__all__ = ["ABBREVIATIONS", "Place", "city_zone", "gazetteer", "lookup", "normalize_name",
           "territory"]

PlaceKind = Literal["city", "country", "zone-name", "alias", "abbreviation", "iana"]


@dataclass(frozen=True)
class Place:
    """What a name stands for: one zone, or several when the name is honestly ambiguous."""

    name: str
    """The name as the gazetteer knows it (``Bangalore``, ``IST``)."""
    zones: tuple[str, ...]
    """IANA keys (or ``AoE``/``UTC``), most likely first."""
    kind: PlaceKind
    meanings: tuple[str, ...] = ()
    """For an ambiguous name, what each zone stands for ("India Standard Time", ...)."""

    @property
    def ambiguous(self) -> bool:
        return len(self.zones) > 1


# Abbreviations as readers write them. A reader who writes "PST" in September means Pacific
# time, so each maps to the region's rules, not to a fixed offset.
_ABBR: Mapping[str, tuple[tuple[str, str], ...]] = {
    "IST": (("Asia/Kolkata", "India Standard Time"), ("Asia/Jerusalem", "Israel Standard Time"),
            ("Europe/Dublin", "Irish Standard Time")),
    "CST": (("America/Chicago", "US Central Time"), ("Asia/Shanghai", "China Standard Time")),
    "BST": (("Europe/London", "British Summer Time"),
            ("Asia/Dhaka", "Bangladesh Standard Time")),
    "AST": (("America/Halifax", "Atlantic Time"), ("Asia/Riyadh", "Arabia Standard Time")),
    "PST": (("America/Los_Angeles", "Pacific Time"),),
    "PDT": (("America/Los_Angeles", "Pacific Time"),),
    "PT": (("America/Los_Angeles", "Pacific Time"),),
    "MST": (("America/Denver", "Mountain Time"),),
    "MDT": (("America/Denver", "Mountain Time"),),
    "MT": (("America/Denver", "Mountain Time"),),
    "CDT": (("America/Chicago", "US Central Time"),),
    "CT": (("America/Chicago", "US Central Time"),),
    "EST": (("America/New_York", "Eastern Time"),),
    "EDT": (("America/New_York", "Eastern Time"),),
    "ET": (("America/New_York", "Eastern Time"),),
    "AKST": (("America/Anchorage", "Alaska Time"),),
    "AKDT": (("America/Anchorage", "Alaska Time"),),
    "HST": (("Pacific/Honolulu", "Hawaii Time"),),
    "JST": (("Asia/Tokyo", "Japan Standard Time"),),
    "KST": (("Asia/Seoul", "Korea Standard Time"),),
    "HKT": (("Asia/Hong_Kong", "Hong Kong Time"),),
    "SGT": (("Asia/Singapore", "Singapore Time"),),
    "CET": (("Europe/Paris", "Central European Time"),),
    "CEST": (("Europe/Paris", "Central European Time"),),
    "EET": (("Europe/Athens", "Eastern European Time"),),
    "EEST": (("Europe/Athens", "Eastern European Time"),),
    "WET": (("Europe/Lisbon", "Western European Time"),),
    "WEST": (("Europe/Lisbon", "Western European Time"),),
    "MSK": (("Europe/Moscow", "Moscow Time"),),
    "AEST": (("Australia/Sydney", "Australian Eastern Time"),),
    "AEDT": (("Australia/Sydney", "Australian Eastern Time"),),
    "ACST": (("Australia/Adelaide", "Australian Central Time"),),
    "AWST": (("Australia/Perth", "Australian Western Time"),),
    "NZST": (("Pacific/Auckland", "New Zealand Time"),),
    "NZDT": (("Pacific/Auckland", "New Zealand Time"),),
    "SAST": (("Africa/Johannesburg", "South Africa Standard Time"),),
    "WIB": (("Asia/Jakarta", "Western Indonesia Time"),),
    "PKT": (("Asia/Karachi", "Pakistan Time"),),
    "BRT": (("America/Sao_Paulo", "Brasilia Time"),),
    "GMT": (("UTC", "Greenwich Mean Time"),),
    "UTC": (("UTC", "Coordinated Universal Time"),),
    "AOE": (("AoE", "Anywhere on Earth"),),
}
ABBREVIATIONS: frozenset[str] = frozenset(_ABBR)

# Names CLDR does not have: big cities that share a zone with its exemplar city, regions,
# and the ways people name China's time.
_ALIASES: Mapping[str, str] = {
    "beijing": "Asia/Shanghai", "北京": "Asia/Shanghai", "北京时间": "Asia/Shanghai",
    "peking": "Asia/Shanghai", "shenzhen": "Asia/Shanghai", "深圳": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai", "广州": "Asia/Shanghai", "hangzhou": "Asia/Shanghai",
    "杭州": "Asia/Shanghai", "nanjing": "Asia/Shanghai", "南京": "Asia/Shanghai",
    "wuhan": "Asia/Shanghai", "武汉": "Asia/Shanghai", "chengdu": "Asia/Shanghai",
    "成都": "Asia/Shanghai", "xi'an": "Asia/Shanghai", "西安": "Asia/Shanghai",
    "tianjin": "Asia/Shanghai", "天津": "Asia/Shanghai", "hefei": "Asia/Shanghai",
    "合肥": "Asia/Shanghai", "suzhou": "Asia/Shanghai", "苏州": "Asia/Shanghai",
    "东八区": "Asia/Shanghai", "中国时间": "Asia/Shanghai", "国内": "Asia/Shanghai",
    "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "班加罗尔": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata", "孟买": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "新德里": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata", "chennai": "Asia/Kolkata", "pune": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata", "tel aviv": "Asia/Jerusalem", "haifa": "Asia/Jerusalem",
    "san francisco": "America/Los_Angeles", "旧金山": "America/Los_Angeles",
    "bay area": "America/Los_Angeles", "silicon valley": "America/Los_Angeles",
    "硅谷": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "西雅图": "America/Los_Angeles", "berkeley": "America/Los_Angeles",
    "stanford": "America/Los_Angeles", "california": "America/Los_Angeles",
    "加州": "America/Los_Angeles", "san diego": "America/Los_Angeles",
    "portland": "America/Los_Angeles", "美西": "America/Los_Angeles",
    "太平洋时间": "America/Los_Angeles", "pacific": "America/Los_Angeles",
    "boston": "America/New_York", "波士顿": "America/New_York",
    "pittsburgh": "America/New_York", "匹兹堡": "America/New_York",
    "washington": "America/New_York", "华盛顿": "America/New_York",
    "philadelphia": "America/New_York", "atlanta": "America/New_York",
    "miami": "America/New_York", "princeton": "America/New_York",
    "美东": "America/New_York", "美东时间": "America/New_York", "eastern": "America/New_York",
    "东部时间": "America/New_York", "美国东部时间": "America/New_York",
    "西部时间": "America/Los_Angeles", "美国西部时间": "America/Los_Angeles",
    "中部时间": "America/Chicago", "美国中部时间": "America/Chicago", "美中": "America/Chicago",
    "山地时间": "America/Denver", "英国时间": "Europe/London", "巴西时间": "America/Sao_Paulo",
    "欧洲中部时间": "Europe/Berlin", "德国时间": "Europe/Berlin",
    "austin": "America/Chicago", "houston": "America/Chicago", "dallas": "America/Chicago",
    "montreal": "America/Toronto", "ottawa": "America/Toronto", "蒙特利尔": "America/Toronto",
    "waterloo": "America/Toronto", "munich": "Europe/Berlin", "münchen": "Europe/Berlin",
    "慕尼黑": "Europe/Berlin", "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "geneva": "Europe/Zurich", "lausanne": "Europe/Zurich", "日内瓦": "Europe/Zurich",
    "edinburgh": "Europe/London", "cambridge": "Europe/London", "oxford": "Europe/London",
    "manchester": "Europe/London", "barcelona": "Europe/Madrid", "milan": "Europe/Rome",
    "米兰": "Europe/Rome", "uk": "Europe/London", "英国": "Europe/London",
    "usa": "America/New_York", "korea": "Asia/Seoul", "韩国": "Asia/Seoul",
    # Venues that calls for papers name (bot.core.cfp) and CLDR lacks.
    "kyoto": "Asia/Tokyo", "osaka": "Asia/Tokyo", "busan": "Asia/Seoul",
    "abu dhabi": "Asia/Dubai", "cape town": "Africa/Johannesburg", "glasgow": "Europe/London",
    "quebec city": "America/Toronto", "calgary": "America/Edmonton",
    "san jose": "America/Los_Angeles", "santa clara": "America/Los_Angeles",
    "long beach": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "phoenix": "America/Phoenix", "salt lake city": "America/Denver",
    "minneapolis": "America/Chicago", "new orleans": "America/Chicago",
    "st. louis": "America/Chicago", "nashville": "America/Chicago", "madison": "America/Chicago",
    "baltimore": "America/New_York", "orlando": "America/New_York",
    "ann arbor": "America/Detroit", "重庆": "Asia/Shanghai", "长沙": "Asia/Shanghai",
    "厦门": "Asia/Shanghai", "青岛": "Asia/Shanghai", "大连": "Asia/Shanghai",
    "济南": "Asia/Shanghai", "哈尔滨": "Asia/Shanghai", "昆明": "Asia/Shanghai",
    "三亚": "Asia/Shanghai",
}

# Countries with several zones: the one people mean by the country's name.
_PRIMARY: Mapping[str, str] = {
    "CN": "Asia/Shanghai", "RU": "Europe/Moscow", "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City", "ID": "Asia/Jakarta", "KZ": "Asia/Almaty",
    "AR": "America/Argentina/Buenos_Aires", "ES": "Europe/Madrid", "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin", "CL": "America/Santiago", "EC": "America/Guayaquil",
    "NZ": "Pacific/Auckland", "MY": "Asia/Kuala_Lumpur", "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent", "MN": "Asia/Ulaanbaatar", "CD": "Africa/Kinshasa",
    "FM": "Pacific/Pohnpei", "KI": "Pacific/Tarawa", "PF": "Pacific/Tahiti",
    "CY": "Asia/Nicosia", "GL": "America/Nuuk", "UM": "Pacific/Midway",
    "AQ": "Antarctica/McMurdo", "PG": "Pacific/Port_Moresby", "MH": "Pacific/Majuro",
}
# And the honest answer for the big ones: several zones, the main ones first.
_MULTI: Mapping[str, tuple[str, ...]] = {
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "CA": ("America/Toronto", "America/Vancouver"),
    "AU": ("Australia/Sydney", "Australia/Perth"),
}

# Exemplar cities and country names that are also ordinary words in a question.
_NOT_PLACES = frozenset({
    "christmas", "easter", "wake", "midway", "troll", "casey", "davis", "palmer", "mawson",
    "oral", "man", "chad", "jordan", "georgia", "guinea", "niger", "hope", "central",
    "regina", "victoria", "macquarie", "vostok", "syowa", "rothera", "mayotte", "norfolk",
    "jersey", "phoenix", "creston", "eucla", "thule", "bahia", "nome", "sitka", "boise",
    "rio branco", "gmt", "utc", "unknown", "réunion", "reunion", "turkey", "chile",
    "cocos", "canary",
})


def normalize_name(text: str) -> str:
    """How names are compared: NFKC, casefolded, accents off, ``_``/``-`` as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace("-", " ")).strip()


def _add(table: dict[str, Place], name: str, zones: tuple[str, ...], kind: PlaceKind,
         meanings: tuple[str, ...] = ()) -> None:
    key = normalize_name(name)
    if not key or key in _NOT_PLACES or key in table:
        return
    table[key] = Place(name=name, zones=zones, kind=kind, meanings=meanings)


@cache
def gazetteer() -> Mapping[str, Place]:
    """Every name we know, normalized -> Place. Built once (about 0.2 s), then shared."""
    table: dict[str, Place] = {}
    for abbr, pairs in _ABBR.items():
        table[abbr.casefold()] = Place(name=abbr, zones=tuple(z for z, _ in pairs),
                                       kind="abbreviation",
                                       meanings=tuple(m for _, m in pairs))
    for alias, zone in _ALIASES.items():
        _add(table, alias, (zone,), "alias")
    aliases = get_global("zone_aliases")
    known = zoneinfo.available_timezones()  # walks the tz directory: once, not per country
    canonical = sorted(z for z in known
                       if z not in aliases and not z.startswith(("Etc/", "SystemV/"))
                       and "/" in z)
    locales = {code: Locale.parse(code) for code in ("en", "zh")}
    for locale in locales.values():
        for zone in canonical:
            try:
                city = get_timezone_location(zone, locale=locale, return_city=True)
            except (LookupError, ValueError):
                continue
            _add(table, city, (zone,), "city")
    territory_zones: Mapping[str, list[str]] = get_global("territory_zones")
    meta_of: Mapping[str, str] = get_global("meta_zones")
    for code, zones in territory_zones.items():
        live = [z for z in zones if z in known]
        if not live:
            continue
        if code in _MULTI:
            chosen = _MULTI[code]
        elif code in _PRIMARY:
            chosen = (_PRIMARY[code],)
        elif len({meta_of.get(z, z) for z in live}) == 1 or len(live) == 1:
            chosen = (live[0],)
        else:
            continue  # several zones and no main one: a country name alone cannot say which
        for locale in locales.values():
            name = locale.territories.get(code)
            if name:
                _add(table, name, chosen, "country")
    # Metazone names: "Central European Time", "中欧标准时间", "India Standard Time".
    by_meta: dict[str, str] = {}
    for zone in canonical:
        meta = meta_of.get(zone)
        if meta and meta not in by_meta:
            by_meta[meta] = zone
    en_names = {normalize_name(n): c for c, n in locales["en"].territories.items()}
    for meta in list(by_meta):  # "India" time is India's zone, not Colombo's
        land = en_names.get(normalize_name(meta))
        zones_of: list[str] = territory_zones.get(land or "", [])
        if land and zones_of:
            by_meta[meta] = _PRIMARY.get(land, zones_of[0])
    for abbr, pairs in _ABBR.items():  # the zone an abbreviation names is the best example
        for zone, _ in pairs:
            if zone in meta_of and len(pairs) == 1 and abbr not in ("GMT",):
                by_meta[meta_of[zone]] = zone
    for locale in locales.values():
        names = locale.meta_zones
        for meta, zone in by_meta.items():
            widths = names.get(meta, {})
            for width in ("long",):
                for variant in ("generic", "standard", "daylight"):
                    text = widths.get(width, {}).get(variant)
                    if text:
                        _add(table, text, (zone,), "zone-name")
    return table


@cache
def _longest() -> int:
    return max(len(k.split()) for k in gazetteer())


def lookup(name: str) -> Place | None:
    """The place a name stands for, or None. IANA keys (``Europe/Paris``) are found too."""
    key = normalize_name(name)
    found = gazetteer().get(key)
    if found is not None:
        return found
    if "/" in name:
        canonical = _iana_keys().get(key)
        if canonical:
            return Place(name=canonical, zones=(canonical,), kind="iana")
    return None


def territory(code: str) -> Place | None:
    """A country written as its ISO code in capitals ("US", "CA", "DE"), as its name is known
    to ``lookup``; None for anything else. Only for a zone name already refused: in a question
    "US" and "IN" are words."""
    if len(code) != 2 or not (code.isascii() and code.isalpha() and code.isupper()):
        return None
    name = Locale.parse("en").territories.get(code)
    return lookup(name) if name else None


def city_zone(name: str) -> str | None:
    """The zone of a city a call for papers names as its venue ("Kyoto", "北京", "Phoenix").

    A venue line means a place, so a city that is also a word in a question ("Phoenix", which
    ``lookup`` passes over) counts here; a name of several zones gives None.
    """
    key = normalize_name(name)
    zone = _alias_zones().get(key)
    if zone is not None:
        return zone
    found = lookup(name)
    return found.zones[0] if found is not None and not found.ambiguous else None


@cache
def _alias_zones() -> Mapping[str, str]:
    return {normalize_name(alias): zone for alias, zone in _ALIASES.items()}


@cache
def _iana_keys() -> Mapping[str, str]:
    return {normalize_name(z): z for z in zoneinfo.available_timezones()}
