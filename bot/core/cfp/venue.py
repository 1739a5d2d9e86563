"""Where the event is and what it is called: cities, countries, the name line of a call.

A call's first line often holds the name, the place and the dates together ("WORKSHOP ON X
(WX '27) Austin, TX -- May 3-5, 2027"): the name and id come from the name part only, the place
feeds city and country, and the date the event's own date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.cfp.dates import _find_dates, _Found
from bot.core.places import Located, city_zone, place_zone, state_country

# The cities calls name as their venue, with the country as a draft writes it; each one's zone
# comes from bot.core.places (one city -> zone table for the whole bot).
CITY_COUNTRIES: dict[str, str] = {
    "Shanghai": "China", "Beijing": "China", "Shenzhen": "China", "Hong Kong": "China",
    "Taipei": "Taiwan", "Singapore": "Singapore", "Tokyo": "Japan", "Kyoto": "Japan",
    "Seoul": "South Korea", "Bangkok": "Thailand", "Bangalore": "India", "Mumbai": "India",
    "New Delhi": "India", "Dubai": "United Arab Emirates", "Abu Dhabi": "United Arab Emirates",
    "Tel Aviv": "Israel", "Sydney": "Australia", "Melbourne": "Australia",
    "Auckland": "New Zealand", "Vancouver": "Canada", "Toronto": "Canada", "Montreal": "Canada",
    "Quebec City": "Canada", "San Francisco": "USA", "Los Angeles": "USA", "San Diego": "USA",
    "San Jose": "USA", "Santa Clara": "USA", "Long Beach": "USA", "Seattle": "USA",
    "Portland": "USA", "Las Vegas": "USA", "Phoenix": "USA", "Denver": "USA",
    "Salt Lake City": "USA", "Austin": "USA", "Chicago": "USA", "Minneapolis": "USA",
    "New Orleans": "USA", "Boston": "USA", "New York": "USA", "Washington": "USA",
    "Philadelphia": "USA", "Pittsburgh": "USA", "Baltimore": "USA", "Atlanta": "USA",
    "Miami": "USA", "Honolulu": "USA", "Anchorage": "USA", "Mexico City": "Mexico",
    "Sao Paulo": "Brazil", "São Paulo": "Brazil", "Buenos Aires": "Argentina", "London": "UK",
    "Edinburgh": "UK", "Dublin": "Ireland", "Lisbon": "Portugal", "Paris": "France",
    "Berlin": "Germany", "Munich": "Germany", "Amsterdam": "Netherlands", "Barcelona": "Spain",
    "Madrid": "Spain", "Rome": "Italy", "Vienna": "Austria", "Zurich": "Switzerland",
    "Prague": "Czech Republic", "Stockholm": "Sweden", "Copenhagen": "Denmark",
    "Helsinki": "Finland", "Athens": "Greece", "Cape Town": "South Africa",
}
# Cities in Chinese, as Chinese calls write them.
CITY_COUNTRIES.update({
    city: "中国" for city in (
        "北京", "上海", "深圳", "广州", "杭州", "南京", "成都", "武汉", "西安", "天津", "重庆",
        "苏州", "长沙", "合肥", "厦门", "青岛", "大连", "济南", "哈尔滨", "昆明", "三亚")})
CITY_COUNTRIES.update({
    "香港": "中国", "澳门": "中国", "Hangzhou": "China", "Nanjing": "China", "Guangzhou": "China",
    "Chengdu": "China", "Wuhan": "China", "Xi'an": "China", "Suzhou": "China",
    "Hyderabad": "India", "Chennai": "India", "Pune": "India", "Jerusalem": "Israel",
    "Haifa": "Israel", "Dhaka": "Bangladesh", "Kuala Lumpur": "Malaysia", "Manchester": "UK",
    "Cambridge": "UK", "Oxford": "UK", "Glasgow": "UK", "Riyadh": "Saudi Arabia",
    "Halifax": "Canada", "Havana": "Cuba", "Osaka": "Japan", "Busan": "South Korea",
    "Ottawa": "Canada", "Calgary": "Canada", "Houston": "USA", "Dallas": "USA",
    "St. Louis": "USA", "Nashville": "USA", "Detroit": "USA", "Madison": "USA", "Orlando": "USA",
    "Ann Arbor": "USA", "Berkeley": "USA",
})


def venue_zone(city: str) -> str:
    """The zone of a city in CITY_COUNTRIES (tests/test_cfp_import.py holds that each has one)."""
    zone = city_zone(city)
    assert zone is not None, city
    return zone


def venue_place(city: str, rest: list[str]) -> Located:
    """The zone of a city of CITY_COUNTRIES followed by what a call wrote after it ("MA",
    "Scotland", "USA"): its own zone only where the written state or country holds it."""
    if not rest:
        return Located(venue_zone(city))
    return place_zone(", ".join([city, *rest]))


US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "Texas", "California", "Massachusetts", "Illinois",
    "Washington", "New York", "Colorado", "Arizona", "Georgia", "Florida", "Oregon", "Utah",
    "Pennsylvania", "Louisiana", "Minnesota", "Michigan", "Wisconsin", "Tennessee"}
CA_PROVINCES = {"BC", "AB", "ON", "QC", "NS", "MB", "British Columbia", "Ontario", "Quebec",
                "Alberta", "Nova Scotia"}
# Country names as calls write them -> the name the zone tables use.
COUNTRY_NAMES = {
    "usa": "USA", "us": "USA", "u.s.": "USA", "u.s.a.": "USA", "united states": "USA",
    "united states of america": "USA", "america": "USA", "china": "China", "p.r. china": "China",
    "pr china": "China", "prc": "China", "中国": "China", "india": "India", "israel": "Israel",
    "ireland": "Ireland", "uk": "UK", "united kingdom": "UK", "england": "UK", "scotland": "UK",
    "wales": "UK", "great britain": "UK", "bangladesh": "Bangladesh", "taiwan": "Taiwan",
    "malaysia": "Malaysia", "singapore": "Singapore", "saudi arabia": "Saudi Arabia",
    "united arab emirates": "United Arab Emirates", "uae": "United Arab Emirates",
    "canada": "Canada", "cuba": "Cuba", "japan": "Japan", "germany": "Germany",
    "france": "France", "australia": "Australia",
}
_COUNTRY_WORD = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted((re.escape(n) for n in COUNTRY_NAMES if n != "us"),
                                       key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE)
_CJK_CHARS = re.compile(r"[\u4e00-\u9fff]")


def country_key(name: str) -> str:
    """The country a place name names, in the zone tables' spelling ("" if unknown)."""
    name = name.strip().strip(".")
    if name in US_STATES:
        return "USA"
    if name in CA_PROVINCES:
        return "Canada"
    state = state_country(name)  # "Maine", "Nova Scotia": every state, not only the listed
    if state in ("US", "CA"):
        return "USA" if state == "US" else "Canada"
    return COUNTRY_NAMES.get(name.lower(), COUNTRY_NAMES.get(name.lower() + ".", ""))


def city_named(text: str) -> str | None:
    """The city a short piece of text names ("Austin, TX", "北京"), if the table knows it."""
    text = text.strip()
    if text in CITY_COUNTRIES:
        return text
    hits = sorted((m.start(), city) for city in CITY_COUNTRIES
                  for m in re.finditer(_city_pattern(city), text))
    return hits[0][1] if hits else None


def _city_pattern(city: str) -> str:
    if _CJK_CHARS.match(city):
        return re.escape(city)
    return rf"(?<![A-Za-z]){re.escape(city)}(?![A-Za-z])"


def countries_in(text: str, venue_country: str) -> tuple[str, ...]:
    """The countries a call points to, its venue's first, then by how often they are named.

    Chinese script counts for China: a call written in Chinese is, in practice, from there.
    """
    counts: dict[str, int] = {}
    for match in _COUNTRY_WORD.finditer(text):
        key = country_key(match[1])
        if key:
            counts[key] = counts.get(key, 0) + 1
    for city, country in CITY_COUNTRIES.items():
        key = country_key(country)
        if key and re.search(_city_pattern(city), text):
            counts[key] = counts.get(key, 0) + 1
    if len(_CJK_CHARS.findall(text)) > 20 or re.search(r"北京时间|北京時間", text):
        counts["China"] = counts.get("China", 0) + 100
    ordered = sorted(counts, key=lambda k: -counts[k])
    first = country_key(venue_country)
    return tuple(dict.fromkeys([first, *ordered] if first else ordered))


@dataclass
class NameLine:
    """A first line taken apart: the name, the place written beside it, and its date."""

    name: str
    place: str = ""
    when: _Found | None = None
    when_text: str = ""


_SEPARATOR = re.compile(r"\s+(?:--|—|–|·|•)\s+|\s*\|\s*")


def split_name_line(text: str) -> NameLine:
    """ "WORKSHOP ON X (WX '27) Austin, TX -- May 3-5, 2027" -> name, "Austin, TX", the date."""
    dates = [d for d in _find_dates(text) if d.start > 0]
    cuts: list[int] = []
    if dates:
        cuts.append(dates[0].start)
    city = city_named(text)
    if city is not None:
        at = re.search(_city_pattern(city), text)
        if at is not None and at.start() > 0:
            cuts.append(at.start())
    for sep in _SEPARATOR.finditer(text):
        if sep.start() > 0 and ((dates and sep.start() < dates[0].start) or city):
            cuts.append(sep.start())
            break
    if not cuts:
        return NameLine(text)
    cut = min(cuts)
    name = text[:cut]
    place_end = dates[0].start if dates and dates[0].start >= cut else len(text)
    place = text[cut:place_end]
    if city is not None and dates and not place.strip(" ,-–—:|·•"):
        # "Name, December 6-12, 2027, Vancouver, Canada.": the place follows the date.
        at = re.search(_city_pattern(city), text)
        if at is not None and at.start() > dates[0].end:
            later = [d.start for d in dates if d.start > at.start()]
            place = text[at.start():min(later, default=len(text))]
    if dates and city is None:
        # An unknown place between the name and the date: "..., Smalltown, Freedonia, June 3".
        paren = name.rfind(")")
        if 0 < paren < len(name) - 1 and re.match(r"\s*[,A-Z]", name[paren + 1:]):
            place = name[paren + 1:] + place
            name = name[:paren + 1]
    name = name.strip(" -–—:|,@·•")
    place = re.sub(r"^[\s\-–—:|,@·•]+|[\s\-–—:|,@·•(]+$", "", place)
    place = re.sub(r"(?<=[a-z]{2})\.$", "", place)  # a sentence's full stop ("Canada."), not "D.C."
    when = dates[0] if dates else None
    return NameLine(name or text, place, when, when.text if when else "")


_ACRONYM_PAREN = re.compile(r"\(\s*([A-Z][A-Za-z0-9&+\-]*[A-Z0-9][A-Za-z0-9&+\-]*)"
                            r"(?:\s*['’]?\s*(\d{4}|\d{2}))?\s*\)")
_ACRONYM_LEAD = re.compile(r"^([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*)\s*['’]?\s*(\d{4}|\d{2})\b")


def acronym_id(name: str) -> str:
    """``wx-27`` for "WORKSHOP ON X (WX '27)", ``icse-2027`` for "ICSE 2027: ..." ("" if none)."""
    for pattern in (_ACRONYM_PAREN, _ACRONYM_LEAD):
        match = pattern.search(name)
        if match and sum(c.isupper() for c in match[1]) >= 2:
            before = name[:match.start()]
            if re.search(r"(?:@|\bat|\bwith|\bco-?located)\s*$", before, re.IGNORECASE):
                continue  # "Workshop @ SOSP 2017": the host, not this event
            parts = [match[1].lower(), match[2] or ""]
            return "-".join(p for p in parts if p)
    return ""
