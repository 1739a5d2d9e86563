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
from datetime import datetime
from functools import cache
from typing import Literal

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

__all__ = ["ABBREVIATIONS", "Located", "Place", "city_zone", "gazetteer", "in_region", "locate",
           "lookup", "normalize_name", "place_zone", "region_after", "state_country",
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
    "nz": "Pacific/Auckland", "aotearoa": "Pacific/Auckland",
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
    "nyc": "America/New_York", "ny": "America/New_York", "sf": "America/Los_Angeles",
    "l.a.": "America/Los_Angeles", "d.c.": "America/New_York",
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

# Major cities of the countries of several zones that CLDR names no zone after (its exemplar
# cities are one per zone: São Paulo and Recife, not Rio de Janeiro or Salvador), by country,
# each with the zone its state keeps as tzdata's zone.tab describes the zone's area
# ("America/Sao_Paulo: Brazil (southeast: GO, DF, MG, ES, RJ, SP, PR, SC, RS)"). Names that
# are two places (St. Petersburg, Victoria, Newcastle) are _HOMONYMS or left out.
_MAJOR_CITIES: Mapping[str, Mapping[str, str]] = {
    "BR": {
        "rio de janeiro": "America/Sao_Paulo", "rio": "America/Sao_Paulo",
        "里约热内卢": "America/Sao_Paulo", "niteroi": "America/Sao_Paulo",
        "brasilia": "America/Sao_Paulo", "巴西利亚": "America/Sao_Paulo",
        "belo horizonte": "America/Sao_Paulo", "porto alegre": "America/Sao_Paulo",
        "curitiba": "America/Sao_Paulo", "florianopolis": "America/Sao_Paulo",
        "campinas": "America/Sao_Paulo", "goiania": "America/Sao_Paulo",
        "salvador": "America/Bahia",
        "natal": "America/Fortaleza", "joao pessoa": "America/Fortaleza",
        "sao luis": "America/Fortaleza", "teresina": "America/Fortaleza",
        "aracaju": "America/Maceio", "palmas": "America/Araguaina",
    },
    "US": {
        "san antonio": "America/Chicago", "kansas city": "America/Chicago",
        "milwaukee": "America/Chicago", "oklahoma city": "America/Chicago",
        "st. paul": "America/Chicago", "urbana": "America/Chicago",
        "champaign": "America/Chicago", "evanston": "America/Chicago",
        "columbus": "America/New_York", "charlotte": "America/New_York",
        "raleigh": "America/New_York", "chapel hill": "America/New_York",
        "tampa": "America/New_York", "cleveland": "America/New_York",
        "cincinnati": "America/New_York", "new haven": "America/New_York",
        "providence": "America/New_York", "ithaca": "America/New_York",
        "college park": "America/New_York", "albuquerque": "America/Denver",
        "el paso": "America/Denver", "tucson": "America/Phoenix",
        "sacramento": "America/Los_Angeles", "oakland": "America/Los_Angeles",
        "palo alto": "America/Los_Angeles", "irvine": "America/Los_Angeles",
        "pasadena": "America/Los_Angeles", "santa barbara": "America/Los_Angeles",
        "洛杉矶": "America/Los_Angeles", "纽约": "America/New_York", "芝加哥": "America/Chicago",
    },
    "CA": {
        "saskatoon": "America/Regina", "kitchener": "America/Toronto",
        "mississauga": "America/Toronto", "banff": "America/Edmonton",
        "whistler": "America/Vancouver", "kelowna": "America/Vancouver",
        "fredericton": "America/Halifax", "charlottetown": "America/Halifax",
        "多伦多": "America/Toronto", "温哥华": "America/Vancouver",
    },
    "AU": {
        "canberra": "Australia/Sydney", "堪培拉": "Australia/Sydney",
        "wollongong": "Australia/Sydney", "gold coast": "Australia/Brisbane",
        "cairns": "Australia/Brisbane", "townsville": "Australia/Brisbane",
        "geelong": "Australia/Melbourne", "alice springs": "Australia/Darwin",
    },
    "RU": {
        "kazan": "Europe/Moscow", "喀山": "Europe/Moscow", "nizhny novgorod": "Europe/Moscow",
        "sochi": "Europe/Moscow", "innopolis": "Europe/Moscow", "krasnodar": "Europe/Moscow",
        "rostov on don": "Europe/Moscow", "voronezh": "Europe/Moscow",
        "ekaterinburg": "Asia/Yekaterinburg", "chelyabinsk": "Asia/Yekaterinburg",
        "perm": "Asia/Yekaterinburg", "ufa": "Asia/Yekaterinburg",
        "khabarovsk": "Asia/Vladivostok", "petropavlovsk kamchatsky": "Asia/Kamchatka",
    },
    "MX": {
        "guadalajara": "America/Mexico_City", "puebla": "America/Mexico_City",
        "queretaro": "America/Mexico_City", "oaxaca": "America/Mexico_City",
        "acapulco": "America/Mexico_City", "cuernavaca": "America/Mexico_City",
        "morelia": "America/Mexico_City", "veracruz": "America/Mexico_City",
        "toluca": "America/Mexico_City", "puerto vallarta": "America/Mexico_City",
        "san luis potosi": "America/Mexico_City", "aguascalientes": "America/Mexico_City",
        "playa del carmen": "America/Cancun", "tulum": "America/Cancun",
        "los cabos": "America/Mazatlan", "cabo san lucas": "America/Mazatlan",
        "culiacan": "America/Mazatlan", "ensenada": "America/Tijuana",
        "mexicali": "America/Tijuana", "墨西哥城": "America/Mexico_City",
    },
    "ID": {
        "bandung": "Asia/Jakarta", "surabaya": "Asia/Jakarta", "yogyakarta": "Asia/Jakarta",
        "semarang": "Asia/Jakarta", "medan": "Asia/Jakarta", "palembang": "Asia/Jakarta",
        "malang": "Asia/Jakarta", "雅加达": "Asia/Jakarta", "bali": "Asia/Makassar",
        "巴厘岛": "Asia/Makassar", "denpasar": "Asia/Makassar", "nusa dua": "Asia/Makassar",
        "ubud": "Asia/Makassar", "lombok": "Asia/Makassar", "mataram": "Asia/Makassar",
        "balikpapan": "Asia/Makassar", "manado": "Asia/Makassar", "ambon": "Asia/Jayapura",
    },
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
    # Major cities (_MAJOR_CITIES) that are words or names too: a venue line still finds them.
    "rio", "natal", "salvador", "palmas", "perm", "providence", "charlotte", "columbus",
    "urbana",
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
    for nation in ("usa", "u.s.a.", "u.s."):  # the country asked by ("USA time"), all its zones
        _add(table, nation, _MULTI["US"], "country")  # (a call's "Boston, USA" is a region's)
    for alias, zone in _ALIASES.items():
        _add(table, alias, (zone,), "alias")
    for cities in _MAJOR_CITIES.values():
        for city, zone in cities.items():
            _add(table, city, (zone,), "city")
    aliases = get_global("zone_aliases")
    known = zoneinfo.available_timezones()  # walks the tz directory: once, not per country
    canonical = sorted(z for z in known
                       if z not in aliases and not z.startswith(("Etc/", "SystemV/"))
                       and "/" in z)
    # zh_Hant too: Taiwan's and Hong Kong's own names ("雪梨", "澳洲"), not only folded ones.
    locales = {code: Locale.parse(code) for code in ("en", "zh", "zh_Hant")}
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
    if "," in name or "，" in name:  # "Portland, Maine": the state is honoured
        return place_zone(name).zone
    key = normalize_name(name)
    zone = _alias_zones().get(key)
    if zone is not None:
        return zone
    found = lookup(name)
    return found.zones[0] if found is not None and not found.ambiguous else None


@cache
def _alias_zones() -> Mapping[str, str]:
    major = {city: zone for cities in _MAJOR_CITIES.values() for city, zone in cities.items()}
    return {normalize_name(alias): zone for alias, zone in {**major, **_ALIASES}.items()}


@cache
def _iana_keys() -> Mapping[str, str]:
    return {normalize_name(z): z for z in zoneinfo.available_timezones()}


# -- "CITY, REGION": a written country or state is honoured ------------------------------------

@dataclass(frozen=True)
class Located:
    """The zone of "CITY, REGION", or None with the doubt that says why it cannot be told."""

    zone: str | None
    doubt: str = ""


@dataclass(frozen=True)
class _Region:
    name: str
    country: str
    """ISO code, as CLDR's zone_territories gives it."""
    zones: tuple[str, ...] | None = None
    """A state's zones, the main one first; None for a whole country (CLDR's list)."""


# No library at hand maps US states, Canadian provinces and Australian states to zones (CLDR
# and zone.tab describe regions only in prose): the zones whose clocks differ inside each.
_E, _C, _M, _P = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
_US_STATES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("Alabama", "AL"): (_C,), ("Alaska", "AK"): ("America/Anchorage", "America/Adak"),
    ("Arizona", "AZ"): ("America/Phoenix", _M), ("Arkansas", "AR"): (_C,),
    ("California", "CA"): (_P,), ("Colorado", "CO"): (_M,), ("Connecticut", "CT"): (_E,),
    ("Delaware", "DE"): (_E,), ("District of Columbia", "DC"): (_E,),
    ("Florida", "FL"): (_E, _C), ("Georgia", "GA"): (_E,), ("Hawaii", "HI"): ("Pacific/Honolulu",),
    ("Idaho", "ID"): ("America/Boise", _P), ("Illinois", "IL"): (_C,),
    ("Indiana", "IN"): ("America/Indiana/Indianapolis", _C), ("Iowa", "IA"): (_C,),
    ("Kansas", "KS"): (_C, _M), ("Kentucky", "KY"): ("America/Kentucky/Louisville", _C),
    ("Louisiana", "LA"): (_C,), ("Maine", "ME"): (_E,), ("Maryland", "MD"): (_E,),
    ("Massachusetts", "MA"): (_E,), ("Michigan", "MI"): ("America/Detroit", "America/Menominee"),
    ("Minnesota", "MN"): (_C,), ("Mississippi", "MS"): (_C,), ("Missouri", "MO"): (_C,),
    ("Montana", "MT"): (_M,), ("Nebraska", "NE"): (_C, _M), ("Nevada", "NV"): (_P,),
    ("New Hampshire", "NH"): (_E,), ("New Jersey", "NJ"): (_E,), ("New Mexico", "NM"): (_M,),
    ("New York", "NY"): (_E,), ("North Carolina", "NC"): (_E,),
    ("North Dakota", "ND"): (_C, _M), ("Ohio", "OH"): (_E,), ("Oklahoma", "OK"): (_C,),
    ("Oregon", "OR"): (_P, "America/Boise"), ("Pennsylvania", "PA"): (_E,),
    ("Rhode Island", "RI"): (_E,), ("South Carolina", "SC"): (_E,),
    ("South Dakota", "SD"): (_C, _M), ("Tennessee", "TN"): (_C, _E), ("Texas", "TX"): (_C, _M),
    ("Utah", "UT"): (_M,), ("Vermont", "VT"): (_E,), ("Virginia", "VA"): (_E,),
    ("Washington", "WA"): (_P,), ("West Virginia", "WV"): (_E,), ("Wisconsin", "WI"): (_C,),
    ("Wyoming", "WY"): (_M,),
}
_CA_PROVINCES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("British Columbia", "BC"): ("America/Vancouver", "America/Fort_Nelson", "America/Creston",
                                 "America/Edmonton"),
    ("Alberta", "AB"): ("America/Edmonton",), ("Saskatchewan", "SK"): ("America/Regina",
                                                                      "America/Edmonton"),
    ("Manitoba", "MB"): ("America/Winnipeg",),
    ("Ontario", "ON"): ("America/Toronto", "America/Winnipeg", "America/Atikokan"),
    ("Quebec", "QC"): ("America/Toronto", "America/Blanc-Sablon"),
    ("New Brunswick", "NB"): ("America/Moncton",), ("Nova Scotia", "NS"): ("America/Halifax",),
    ("Prince Edward Island", "PE"): ("America/Halifax",),
    ("Newfoundland and Labrador", "NL"): ("America/St_Johns", "America/Goose_Bay"),
    ("Yukon", "YT"): ("America/Whitehorse",), ("Northwest Territories", "NT"): (
        "America/Edmonton",),
    ("Nunavut", "NU"): ("America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"),
}
_AU_STATES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("New South Wales", "NSW"): ("Australia/Sydney", "Australia/Broken_Hill",
                                 "Australia/Lord_Howe"),
    ("Victoria", "VIC"): ("Australia/Melbourne",), ("Queensland", "QLD"): ("Australia/Brisbane",),
    ("South Australia", "SA"): ("Australia/Adelaide",),
    ("Western Australia", "WA"): ("Australia/Perth", "Australia/Eucla"),
    ("Tasmania", "TAS"): ("Australia/Hobart",), ("Northern Territory", "NT"): (
        "Australia/Darwin",),
    ("Australian Capital Territory", "ACT"): ("Australia/Sydney",),
}
# Parts of a country people write as one ("Perth, Scotland"); CLDR names countries only.
_NATIONS: Mapping[str, str] = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "u.s": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u.k.": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "great britain": "GB",
    "britain": "GB", "prc": "CN", "p.r. china": "CN", "pr china": "CN", "uae": "AE",
    "south korea": "KR", "korea": "KR", "czech republic": "CZ", "holland": "NL",
}
# City names that are several places (the most likely first, as city_zone gives it).
_HOMONYMS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "portland": ((_P, "Portland, Oregon"), (_E, "Portland, Maine")),
    "cambridge": (("Europe/London", "Cambridge, England"), (_E, "Cambridge, Massachusetts"),
                  ("America/Toronto", "Cambridge, Ontario")),
    "perth": (("Australia/Perth", "Perth, Western Australia"),
              ("Europe/London", "Perth, Scotland")),
    "london": (("Europe/London", "London, England"), ("America/Toronto", "London, Ontario")),
    "san jose": ((_P, "San Jose, California"), ("America/Costa_Rica", "San José, Costa Rica")),
    "hyderabad": (("Asia/Kolkata", "Hyderabad, India"), ("Asia/Karachi", "Hyderabad, Pakistan")),
    "st. petersburg": (("Europe/Moscow", "Saint Petersburg, Russia"),
                       (_E, "St. Petersburg, Florida")),
    "saint petersburg": (("Europe/Moscow", "Saint Petersburg, Russia"),
                         (_E, "St. Petersburg, Florida")),
}


@cache
def _regions() -> Mapping[str, tuple[_Region, ...]]:
    """Every region name a place may end with, normalized -> the regions it can be ("WA" is
    Washington or Western Australia)."""
    found: dict[str, list[_Region]] = {}

    def add(key: str, region: _Region) -> None:
        found.setdefault(normalize_name(key), []).append(region)

    for table, country in ((_US_STATES, "US"), (_CA_PROVINCES, "CA"), (_AU_STATES, "AU")):
        for (name, code), zones in table.items():
            region = _Region(name, country, zones)
            add(name, region)
            add(code, region)
    for word, code in _NATIONS.items():
        add(word, _Region(Locale.parse("en").territories.get(code, code), code))
    for locale in (Locale.parse("en"), Locale.parse("zh")):
        for code, name in locale.territories.items():
            if code.isalpha() and normalize_name(name) not in found:
                add(name, _Region(Locale.parse("en").territories.get(code, name), code))
    return {key: tuple(regions) for key, regions in found.items()}


@cache
def _clock(zone: str) -> tuple[object, ...]:
    """A zone's offsets in January and July: zones with the same keep the same clock now
    (Juneau and Anchorage, Detroit and New York; not Phoenix and Denver)."""
    tz = zoneinfo.ZoneInfo(zone)
    return tuple(datetime(2026, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7))


def state_country(name: str) -> str | None:
    """The ISO code of the country whose state, province or territory ``name`` is ("Maine":
    US, "Nova Scotia": CA); None for a country's own name or anything else."""
    codes = {r.country for r in _regions().get(normalize_name(name), ()) if r.zones is not None}
    return codes.pop() if len(codes) == 1 else None


def _in_region(zone: str, region: _Region) -> bool:
    territories: Mapping[str, str] = get_global("zone_territories")
    if territories.get(zone) != region.country:
        return False
    return region.zones is None or _clock(zone) in {_clock(z) for z in region.zones}


def _region_zones(region: _Region) -> tuple[str, ...]:
    """A region's zones of different clocks, the main first: one for Massachusetts or the UK."""
    territory_zones: Mapping[str, list[str]] = get_global("territory_zones")
    zones = region.zones or (*_MULTI.get(region.country, ()),
                             *territory_zones.get(region.country, []))
    clocks: dict[tuple[object, ...], str] = {}
    for zone in zones:
        clocks.setdefault(_clock(zone), zone)
    return tuple(clocks.values())


def locate(city: str, region: str) -> Located:
    """The zone of CITY in REGION (a country, a US state, a Canadian province or an Australian
    state): the city's own zone only if it lies there ("Perth, Scotland" is not Australia's
    Perth), else the region's if it has one ("Portland, Maine"), else a doubt that says why
    ("Portland, USA" is Oregon or Maine; "Springfield, USA" could be in any of its zones)."""
    regions = _regions().get(normalize_name(region), ())
    own = city_zone(city)
    if not regions:
        return Located(own or city_zone(region))
    readings = _HOMONYMS.get(normalize_name(city)) or (((own, city),) if own else ())
    inside = {zone: where for zone, where in readings for r in regions if _in_region(zone, r)}
    names = " or ".join(dict.fromkeys(r.name for r in regions))
    said = region if normalize_name(region) == normalize_name(names) else f"{region} ({names})"
    if len(inside) == 1:
        return Located(next(iter(inside)))
    if len(inside) > 1:
        listed = " or ".join(f"{where} ({zone})" for zone, where in inside.items())
        return Located(None, f"{city}, {region} is ambiguous: {listed}; name the state or "
                             f"write the zone")
    zones = tuple(dict.fromkeys(z for r in regions for z in _region_zones(r)))
    if len({_clock(z) for z in zones}) == 1:
        return Located(zones[0])
    known = ", ".join(f"{where} ({zone})" for zone, where in readings)
    elsewhere = f"the {city} duebot knows, {known}, is not in {names}; " if readings else ""
    listed = ", ".join(zones[:4]) + (", ..." if len(zones) > 4 else "")
    return Located(None, f"{elsewhere}{said} has several zones ({listed}) and duebot "
                         f"cannot tell which one {city} keeps: write the zone")


def place_zone(text: str) -> Located:
    """The zone of a place as written: "Cambridge, Massachusetts", "Perth, WA", "Kyoto"."""
    parts = [p for p in re.split(r"\s*[,，]\s*", text.strip()) if p]
    if len(parts) < 2:
        return Located(city_zone(text))
    # "Cambridge, MA, USA": the state says more than the country.
    region = next((p for p in parts[1:] if normalize_name(p) in _regions()), parts[-1])
    return locate(parts[0], region)


_REGION_WORDS = re.compile(r"\s*[,，]\s*((?:[^\W\d_]|\.)+(?:\s+(?:[^\W\d_]|\.)+){0,3})")


def region_after(text: str) -> tuple[int, str] | None:
    """A region written right after a city in a question (", Massachusetts", ", MA"): how
    far it runs in ``text`` and its name; None if what follows is no region."""
    match = _REGION_WORDS.match(text)
    if match is None:
        return None
    words = match[1].split()
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n])
        if normalize_name(name.rstrip(".")) in _regions() or normalize_name(name) in _regions():
            return match.start(1) + match[1].index(words[n - 1]) + len(words[n - 1]), name
    return None


def in_region(place: Place, city: str, region: str) -> Place:
    """``place`` (a city) as the written region reads it: one zone, or the readings a doubt
    leaves ("Portland, USA": Oregon's and Maine's), the doubt as their meaning."""
    located = locate(city, region)
    if located.zone is not None:
        return Place(name=f"{city}, {region}", zones=(located.zone,), kind=place.kind)
    readings = _HOMONYMS.get(normalize_name(city), ())
    inside = [(z, w) for z, w in readings
              if any(_in_region(z, r) for r in _regions().get(normalize_name(region), ()))]
    if len(inside) > 1:
        return Place(name=f"{city}, {region}", zones=tuple(z for z, _ in inside),
                     kind=place.kind, meanings=tuple(w for _, w in inside))
    regions = _regions().get(normalize_name(region), ())
    zones = tuple(dict.fromkeys(z for r in regions for z in _region_zones(r)))
    names = " or ".join(dict.fromkeys(r.name for r in regions)) or region
    return Place(name=f"{city}, {region}", zones=zones, kind=place.kind,
                 meanings=tuple(f"{names} on {zone}" for zone in zones))
