"""The major cities of countries of several zones resolve, with the country named or not:
CLDR names one exemplar city per zone (São Paulo, not Rio de Janeiro), so a call "in Rio de
Janeiro, Brazil" stayed in AoE with a warning."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from babel.core import get_global

from bot.core.cfp import import_cfp
from bot.core.places import city_zone, place_zone

TERRITORY: Mapping[str, str] = get_global("zone_territories")
LEGACY = set(get_global("zone_aliases"))

# Venues of conferences in the seven big countries of several zones, as calls write them.
VENUES = {
    "BR": ["Rio de Janeiro", "Brasília", "Belo Horizonte", "Porto Alegre", "Curitiba",
           "Florianópolis", "Salvador", "Natal", "Campinas", "Recife", "Manaus", "Fortaleza"],
    "US": ["San Antonio", "Kansas City", "Columbus", "Charlotte", "Raleigh", "Albuquerque",
           "Tucson", "Sacramento", "Oakland", "Providence", "New Haven", "Ithaca", "Boston"],
    "CA": ["Saskatoon", "Banff", "Whistler", "Kitchener", "Toronto", "Montreal", "Calgary"],
    "AU": ["Canberra", "Gold Coast", "Cairns", "Geelong", "Alice Springs", "Melbourne"],
    "RU": ["Kazan", "Sochi", "Innopolis", "Nizhny Novgorod", "Ekaterinburg", "Saint Petersburg",
           "Novosibirsk", "Khabarovsk"],
    "MX": ["Guadalajara", "Puebla", "Querétaro", "Oaxaca", "Playa del Carmen", "Los Cabos",
           "Mexico City", "Cancún", "Mérida", "Monterrey"],
    "ID": ["Bali", "Bandung", "Surabaya", "Yogyakarta", "Denpasar", "Nusa Dua", "Medan",
           "Jakarta"],
}
COUNTRY = {"BR": "Brazil", "US": "USA", "CA": "Canada", "AU": "Australia", "RU": "Russia",
           "MX": "Mexico", "ID": "Indonesia"}
CASES = [(city, code) for code, cities in VENUES.items() for city in cities]


@pytest.mark.parametrize(("city", "code"), CASES, ids=[c for c, _ in CASES])
def test_a_major_city_resolves_to_a_current_zone_of_its_country(city: str, code: str) -> None:
    located = place_zone(f"{city}, {COUNTRY[code]}")
    assert located.zone is not None and not located.doubt, located
    assert TERRITORY.get(located.zone) == code and located.zone not in LEGACY
    assert city_zone(city) in (located.zone, None)  # alone: the same zone, or a homonym's doubt


def test_a_call_in_rio_de_janeiro_is_placed_in_sao_paulo_time_without_a_doubt() -> None:
    call = ("# WAT 2027\n\nCo-located with ICSE 2027 in Rio de Janeiro, Brazil. Workshop day: "
            "April 27, 2027.\n\n- Paper submission: February 5, 2027 (AoE)\n")
    imported = import_cfp(call)
    assert 'venue_zone = "America/Sao_Paulo"' in imported.toml
    assert not [w for w in imported.warnings if "Rio" in w.message], imported.warnings
