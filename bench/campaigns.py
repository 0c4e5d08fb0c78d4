"""Seeded campaign files for the benchmark, in the input formats smscheck reads.

Three scenarios:
- `realistic`: what a CRM export looks like: three templates with `{prenom}` and `{quartier}`
  merge fields; numbers written as people write them (E.164, national with spaces, dots or
  dashes, 00 prefix, `(0)`, landlines, overseas numbers); the five relationships with their
  usual origins; consent records with their own dates, scopes and collectors; histories of
  past messages; referrers; a few opt-outs; about 1% bad lines of the kinds exports have.
- `single`: the realistic recipients under one template (the first), as a send usually is:
  every merged body is spread over the whole file, so each `--jobs` worker meets nearly all.
- `synthetic`: the profile the benchmark used before issue 18 (two templates, `{prenom}` only,
  every consent record dated the same day): recipients repeat, so verdict reuse looks better
  than on real files. Kept to compare with earlier figures.

A scenario is a list of templates and a stream of recipient records (dicts as written, or a
raw bad line); writers turn them into files.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers

CET = timezone(timedelta(hours=1))
CAMPAIGN: dict[str, object] = {
    "sender_kind": "candidate",
    "names": ["Marie Dupont", "Ensemble pour Lyon"],
    "election": {
        "kind": "municipal",
        "rounds": [{"polling_date": "2026-03-15"}, {"polling_date": "2026-03-22"}],
    },
    "info_notice_url": "https://exemple.fr/donnees",
}
NOTICE = "Vos données : https://exemple.fr/donnees. STOP au 36111"


@dataclass(frozen=True, slots=True)
class Template:
    body: str
    send_at: str
    share: float  # of the recipients

    def line(self) -> dict[str, object]:
        message = {"sender": "36111", "body": self.body, "send_at": self.send_at}
        return {"template": {"message": message, "campaign": CAMPAIGN}}


REALISTIC_TEMPLATES = (
    Template(
        "Bonjour {prenom}, dimanche chaque voix compte : votez pour la liste Ensemble pour Lyon "
        "menée par Marie Dupont ! Rendez-vous au bureau de vote de {quartier}. " + NOTICE,
        "2026-03-11T18:30:00+01:00",
        0.5,
    ),
    Template(
        "{prenom}, Marie Dupont vous invite à la réunion publique de {quartier} jeudi 19h, "
        "salle des fêtes. " + NOTICE,
        "2026-03-09T12:00:00+01:00",
        0.3,
    ),
    Template(
        "Ensemble pour Lyon : merci {prenom} pour votre soutien. Marie Dupont. " + NOTICE,
        "2026-03-05T10:15:00+01:00",
        0.2,
    ),
)

FIRST_NAMES = (
    "Marie", "Jean", "Zoé", "Étienne", "Françoise", "Noël", "Inès", "Loïc", "Anaïs", "Hugo",
    "Jean-Pierre", "Marie-Claire", "Chloé", "Théo", "Léa", "Raphaël", "Océane", "Gaël", "Maëlle",
    "Mohamed", "Fatoumata", "Nguyen", "Aurélien", "Hélène", "Benoît", "Cécile", "Jérôme",
    "Agnès", "Yannick", "Solène", "Kévin", "Emma", "Lucas", "Camille", "Sébastien", "Éloïse",
)  # fmt: skip
QUARTIERS = (
    "la Croix-Rousse", "Vaise", "la Guillotière", "Monplaisir", "Gerland", "la Part-Dieu",
    "Saint-Jean", "Fourvière", "les Brotteaux", "la Duchère", "Confluence", "Perrache",
    "États-Unis", "Montchat", "Saint-Rambert", "Bellecour",
)  # fmt: skip

# (relationship, weight, origins with weights): the origins each relationship comes with.
RELATIONSHIPS = (
    ("member", 30, (("party_member_file", 9), ("federation_file", 1))),
    ("former_member", 8, (("party_member_file", 1),)),
    ("regular_contact", 20, (("collected_directly", 1),)),
    ("opted_in", 27, (("collected_directly", 6), ("referral", 3), ("primary_voters_list", 1))),
    (
        "prospect",
        15,
        (
            ("rented_file", 4),
            ("unknown", 3),
            ("public_body_file", 1),
            ("company_file", 1),
            ("other_purpose_file", 1),
        ),
    ),
)
SCOPES = (("political_sms", 7), ("political_any_channel", 2), ("newsletter", 1), ("commercial", 1))
COLLECTORS = ("Marie Dupont", "Ensemble pour Lyon", "Association des amis de Lyon")
REFERRERS = ("Paul Martin", "Sophie Bernard", "Karim Haddad", "Julie Moreau")
OVERSEAS = ("+262 692", "+590 690", "+596 696", "+594 694", "+689 87", "00262 693")

# Bad lines as exports have them, each a function of the generator.
BAD_KINDS = (
    "truncated",
    "short number",
    "letters in number",
    "unknown origin",
    "impossible date",
    "missing merge field",
    "not an object",
    "misnamed column",
)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


_MOBILE = re.compile(r"6(?:[0-24-8]\d|3[0-8]|9[589])\d{6}|7[3-9]\d{7}")  # mainland mobiles


def _valid(written: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(written, "FR"))
    except phonenumbers.NumberParseException:
        return False


def _nine_digits(rng: random.Random) -> str:
    """A valid mainland number without its 0: mostly mobiles, some landlines."""
    while True:
        nine = rng.choice("666667" if rng.random() > 0.03 else "12345") + _digits(rng, 8)
        if _MOBILE.fullmatch(nine) if nine[0] in "67" else _valid("0" + nine):
            return nine


def number_writing(rng: random.Random) -> str:
    """A valid number as people write them: E.164, national with or without separators, 00,
    (0), and about 3% overseas numbers in international writing."""
    if rng.random() < 0.03:
        while True:
            rest = _digits(rng, 6)
            written = f"{rng.choice(OVERSEAS)} {rest[:2]} {rest[2:4]} {rest[4:]}"
            if _valid(written):
                return written
    nine = _nine_digits(rng)
    pairs = " ".join(nine[i : i + 2] for i in range(1, 9, 2))
    national = f"0{nine[0]} {pairs}"
    style = rng.random()
    if style < 0.30:
        return "+33" + nine
    if style < 0.55:
        return national
    if style < 0.70:
        return "0" + nine
    if style < 0.78:
        return national.replace(" ", ".")
    if style < 0.82:
        return national.replace(" ", "-")
    if style < 0.92:
        return f"+33 {nine[0]} {pairs}"
    if style < 0.97:
        return "0033" + nine
    return f"+33 (0){nine[0]} {pairs}"


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _instant(rng: random.Random, first: date, last: date) -> str:
    day = _day(rng, first, last)
    moment = datetime(day.year, day.month, day.day, rng.randrange(8, 21), rng.randrange(60), 0)
    return moment.replace(tzinfo=CET).isoformat()


def realistic_recipient(rng: random.Random) -> dict[str, object]:
    """One recipient record of a CRM export."""
    relationship, _, origins = rng.choices(RELATIONSHIPS, [r[1] for r in RELATIONSHIPS])[0]
    origin = _weighted(rng, origins)
    record: dict[str, object] = {
        "number": number_writing(rng),
        "relationship": relationship,
        "origin": origin,
    }
    if relationship == "opted_in" or rng.random() < 0.08:
        record["consent"] = {
            "given_on": _day(rng, date(2019, 1, 1), date(2026, 3, 1)).isoformat(),
            "scope": _weighted(rng, SCOPES),
            "collected_by": rng.choice(COLLECTORS),
            "told_political_use": rng.random() < 0.85,
        }
    if origin == "referral":
        record["referrer"] = rng.choice(REFERRERS)
    if rng.random() < 0.005:
        record["opted_out"] = True
    if origin == "primary_voters_list" and rng.random() < 0.5:
        record["kept_informed"] = True
    past = rng.choices((0, 1, 2, 3), (5, 3, 1, 1))[0]
    if past:
        record["history"] = [
            {
                "sent_at": _instant(rng, date(2025, 6, 1), date(2026, 3, 4)),
                "purpose": rng.choice(("campaign", "campaign", "consent_request")),
            }
            for _ in range(past)
        ]
    record["merge"] = {"prenom": rng.choice(FIRST_NAMES), "quartier": rng.choice(QUARTIERS)}
    return record


def _political_consent(given_on: str) -> dict[str, object]:
    return {
        "given_on": given_on,
        "scope": "political_sms",
        "collected_by": "Marie Dupont",
        "told_political_use": True,
    }


def bad_line(rng: random.Random) -> str:
    """A recipient line smscheck must refuse, with the error and the rest of the file checked."""
    record = realistic_recipient(rng)
    kind = rng.choice(BAD_KINDS)
    if kind == "truncated":
        return json.dumps(record, ensure_ascii=False)[: rng.randrange(5, 40)]
    if kind == "not an object":
        return "[]"
    if kind == "short number":
        record["number"] = "06 12 34"
    elif kind == "letters in number":
        record["number"] = "06 12 AB 56 78"
    elif kind == "unknown origin":
        record["origin"] = "salon_du_livre"
    elif kind == "impossible date":
        record["consent"] = _political_consent("2025-02-30")
    elif kind == "missing merge field":
        record["merge"] = {"quartier": rng.choice(QUARTIERS)}  # every template has {prenom}
    else:
        record["telephone"] = record.pop("number")
    return json.dumps(record, ensure_ascii=False)


SYNTHETIC_BODIES = (
    "Bonjour {prenom}, dimanche chaque voix compte : votez pour la liste Ensemble pour Lyon ! "
    "Marie Dupont. Vos coordonnées proviennent de notre fichier d'adhérents. "
    "Infos et droits : https://exemple.fr/donnees. STOP au 36111",
    "{prenom}, réunion publique mardi 19h salle des fêtes avec Marie Dupont. "
    "Vos données : https://exemple.fr/donnees. STOP au 36111",
)
SYNTHETIC_TEMPLATES = tuple(Template(b, "2026-03-11T14:00:00+01:00", 0.5) for b in SYNTHETIC_BODIES)
SYNTHETIC_BLOCKS = ("+33612", "+33623", "+33645", "+33650", "+33678", "+33699", "+33751", "+33782")
SYNTHETIC_RELATIONSHIPS = ("member", "member", "member", "regular_contact", "opted_in", "prospect")
SYNTHETIC_ORIGINS = (
    "party_member_file",
    "collected_directly",
    "rented_file",
    "referral",
    "unknown",
)
SYNTHETIC_BAD = ('{"number": "+336', '{"number": "+33612345678", "origin": "moon"}', "[]")


def synthetic_recipient(rng: random.Random) -> dict[str, object]:
    """One recipient of the pre-issue-18 profile (few distinct profiles)."""
    relationship = rng.choice(SYNTHETIC_RELATIONSHIPS)
    record: dict[str, object] = {
        "number": f"{rng.choice(SYNTHETIC_BLOCKS)}{rng.randrange(10**6):06d}",
        "relationship": relationship,
        "origin": "party_member_file"
        if relationship == "member"
        else rng.choice(SYNTHETIC_ORIGINS),
        "merge": {"prenom": rng.choice(FIRST_NAMES[:10])},
    }
    if relationship == "opted_in":
        record["consent"] = _political_consent("2025-11-02")
    return record


@dataclass(frozen=True, slots=True)
class Written:
    """What a writer produced: the file, its recipient lines (bad ones included) and templates."""

    path: Path
    lines: int
    bad: int
    templates: int


_TEMPLATES = {
    "realistic": REALISTIC_TEMPLATES,
    "single": (replace(REALISTIC_TEMPLATES[0], share=1.0),),
    "synthetic": SYNTHETIC_TEMPLATES,
}
SCENARIOS = tuple(_TEMPLATES)


def records(scenario: str, n: int, seed: int) -> Iterator[tuple[Template, dict[str, object] | str]]:
    """N recipient records in template order, each with its template; a str is a bad line."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    rng = random.Random(seed)
    realistic = scenario != "synthetic"
    templates = _TEMPLATES[scenario]
    counts = [round(n * t.share) for t in templates]
    counts[-1] = n - sum(counts[:-1])
    for template, count in zip(templates, counts, strict=True):
        for _ in range(count):
            if rng.random() < 0.01:
                yield template, bad_line(rng) if realistic else rng.choice(SYNTHETIC_BAD)
            else:
                yield template, realistic_recipient(rng) if realistic else synthetic_recipient(rng)


def write_jsonl(path: Path, scenario: str, n: int, seed: int = 18) -> Written:
    """A JSON Lines campaign: each template line followed by its recipients."""
    current: Template | None = None
    bad = templates = 0
    with path.open("w", encoding="utf-8") as out:
        for template, record in records(scenario, n, seed):
            if template is not current:
                current = template
                templates += 1
                out.write(json.dumps(template.line(), ensure_ascii=False) + "\n")
            if isinstance(record, str):
                bad += 1
                out.write(record + "\n")
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return Written(path, n, bad, templates)


def generate(path: Path, n: int, seed: int = 7) -> Written:
    """The synthetic scenario as JSON Lines: the campaign the batch and determinism tests use."""
    return write_jsonl(path, "synthetic", n, seed)
