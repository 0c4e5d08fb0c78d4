"""Local time and public holidays of each French territory where people vote or receive SMS."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

from smscheck.models import Territory

# IANA zone of each territory; French Polynesia spans three zones, Tahiti's is the one most use.
_ZONES = {
    Territory.MAINLAND: "Europe/Paris",
    Territory.CORSICA: "Europe/Paris",
    Territory.REUNION: "Indian/Reunion",
    Territory.GUADELOUPE: "America/Guadeloupe",
    Territory.MARTINIQUE: "America/Martinique",
    Territory.GUYANE: "America/Cayenne",
    Territory.MAYOTTE: "Indian/Mayotte",
    Territory.SAINT_PIERRE_ET_MIQUELON: "America/Miquelon",
    Territory.NOUVELLE_CALEDONIE: "Pacific/Noumea",
    Territory.POLYNESIE_FRANCAISE: "Pacific/Tahiti",
    Territory.WALLIS_ET_FUTUNA: "Pacific/Wallis",
    Territory.SAINT_BARTHELEMY: "America/St_Barthelemy",
    Territory.SAINT_MARTIN: "America/Marigot",
}

# Subdivision codes of the `holidays` package's France calendar.
_HOLIDAY_SUBDIVISIONS = {
    Territory.MAINLAND: None,
    Territory.CORSICA: None,
    Territory.REUNION: "974",
    Territory.GUADELOUPE: "971",
    Territory.MARTINIQUE: "972",
    Territory.GUYANE: "973",
    Territory.MAYOTTE: "976",
    Territory.SAINT_PIERRE_ET_MIQUELON: "PM",
    Territory.NOUVELLE_CALEDONIE: "NC",
    Territory.POLYNESIE_FRANCAISE: "PF",
    Territory.WALLIS_ET_FUTUNA: "WF",
    Territory.SAINT_BARTHELEMY: "BL",
    Territory.SAINT_MARTIN: "MF",
}


@cache
def zone(territory: Territory) -> ZoneInfo:
    return ZoneInfo(_ZONES[territory])


# The calendar's languages for each of ours.
_CALENDAR_LANGUAGES = {"fr": "fr", "en": "en_US"}


@lru_cache(maxsize=256)
def _calendar(territory: Territory, year: int, lang: str) -> dict[date, str]:
    subdivision = _HOLIDAY_SUBDIVISIONS[territory]
    language = _CALENDAR_LANGUAGES[lang]
    return dict(holidays.country_holidays("FR", subdiv=subdivision, years=year, language=language))


def holiday_name(territory: Territory, day: date, lang: str = "fr") -> str | None:
    """The public holiday on `day` in `territory`, if any, named in `lang` (fr or en)."""
    return _calendar(territory, day.year, lang).get(day)


_NAMES = {
    Territory.MAINLAND: ("la métropole", "mainland France"),
    Territory.CORSICA: ("la Corse", "Corsica"),
    Territory.REUNION: ("La Réunion", "Reunion"),
    Territory.GUADELOUPE: ("la Guadeloupe", "Guadeloupe"),
    Territory.MARTINIQUE: ("la Martinique", "Martinique"),
    Territory.GUYANE: ("la Guyane", "French Guiana"),
    Territory.MAYOTTE: ("Mayotte", "Mayotte"),
    Territory.SAINT_PIERRE_ET_MIQUELON: ("Saint-Pierre-et-Miquelon", "Saint Pierre and Miquelon"),
    Territory.NOUVELLE_CALEDONIE: ("la Nouvelle-Calédonie", "New Caledonia"),
    Territory.POLYNESIE_FRANCAISE: ("la Polynésie française", "French Polynesia"),
    Territory.WALLIS_ET_FUTUNA: ("Wallis-et-Futuna", "Wallis and Futuna"),
    Territory.SAINT_BARTHELEMY: ("Saint-Barthélemy", "Saint Barthélemy"),
    Territory.SAINT_MARTIN: ("Saint-Martin", "Saint Martin"),
}


def territory_name(territory: Territory, lang: str) -> str:
    """The territory as a sentence names it, in `lang` (fr or en)."""
    french, english = _NAMES[territory]
    return french if lang == "fr" else english
