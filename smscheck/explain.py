"""`smscheck explain RULE-ID`: what a rule checks, what it says when it fails or needs a review,
how to fix it, its source and validity, and a seed it fails and one it passes."""

from __future__ import annotations

from collections.abc import Sequence

from smscheck.catalogue import Example, checkout_seeds, seed_examples
from smscheck.messages import CONFIDENCE_WORDS
from smscheck.packs import Pack, PackError, Rule
from smscheck.verdicts import Lang

_LABELS = {
    "fr": {
        "checks": "Ce qui est vérifié",
        "fails": "En cas d'échec",
        "review": "Quand un fait manque",
        "remedy": "Correction",
        "concern": "Sujet",
        "severity": "gravité",
        "in_force": "En vigueur",
        "source": "Source",
        "confidence": "fiabilité :",
        "failing": "Exemple qui échoue",
        "passing": "Exemple qui passe",
        "none": "aucun exemple dans seeds/",
        "no_seeds": "exemples : seeds/ introuvable (copie installée sans les exemples)",
        "no_end": "sans fin",
    },
    "en": {
        "checks": "Checks",
        "fails": "When it fails",
        "review": "When a fact is missing",
        "remedy": "Remedy",
        "concern": "Concern",
        "severity": "severity",
        "in_force": "In force",
        "source": "Source",
        "confidence": "confidence:",
        "failing": "Failing example",
        "passing": "Passing example",
        "none": "no example in seeds/",
        "no_seeds": "examples: seeds/ not found (an installed copy ships without them)",
        "no_end": "no end",
    },
}


def find(packs: Sequence[Pack], rule_id: str) -> tuple[Pack, Rule]:
    """The rule of that id (any case); PackError naming the packs searched if none has it."""
    for pack in packs:
        for rule in pack.rules:
            if rule.id == rule_id.upper():
                return pack, rule
    raise PackError(
        rule_id, "", f"no rule {rule_id} in the packs loaded ({', '.join(p.id for p in packs)})"
    )


def _example(label: str, example: Example | None, lang: Lang) -> list[str]:
    colon = _COLON[lang]
    if example is None:
        return [f"{label}{colon} {_LABELS[lang]['none']}"]
    body = str(example.case.get("message", {}).get("body", ""))
    return [
        f"{label} ({example.status}){colon} {example.title} — {example.file}",
        *(f"    > {line}" for line in body.splitlines()),
    ]


_COLON = {"fr": " :", "en": ":"}
_SEMICOLON = {"fr": " ;", "en": ";"}


def explain(packs: Sequence[Pack], rule_id: str, lang: Lang) -> str:
    """The explanation of one rule, in `lang`."""
    pack, rule = find(packs, rule_id)
    labels, colon, semicolon = _LABELS[lang], _COLON[lang], _SEMICOLON[lang]
    cite = rule.citation
    article = f", {cite.article}" if cite.article else ""
    until = rule.valid_until.isoformat() if rule.valid_until else f"({labels['no_end']})"
    confidence = CONFIDENCE_WORDS[lang][cite.confidence]
    lines = [
        f"{rule.id} — {pack.id} {pack.version} ({pack.title})",
        "",
        f"{labels['checks']}{colon} {rule.title[lang]}",
        f"{labels['fails']}{colon} {rule.message[lang]}",
        f"{labels['review']}{colon} {rule.review[lang]}",
        f"{labels['remedy']}{colon} {rule.remedy[lang]}",
        f"{labels['concern']}{colon} {rule.concern.value}{semicolon} "
        f"{labels['severity']} {rule.severity.value}",
        f"{labels['in_force']}{colon} {rule.valid_from} → {until}",
        f"{labels['source']}{colon} {cite.title} — {cite.reference}{article} ({cite.date}) "
        f"<{cite.link}>{semicolon} {labels['confidence']} {confidence}",
        "",
    ]
    folder = checkout_seeds()
    if folder is None:
        lines.append(labels["no_seeds"])
    else:
        failing, passing = seed_examples(folder).get(rule.id, (None, None))
        lines += _example(labels["failing"], failing, lang)
        lines += _example(labels["passing"], passing, lang)
    return "\n".join(lines) + "\n"
