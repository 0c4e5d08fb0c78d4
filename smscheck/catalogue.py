"""The rule catalogue: every rule with its concern, validity and source, as text, JSON or Markdown.

The Markdown catalogue (committed as docs/rules.md) also shows, under each rule, a seed case
that fails it and one that passes it, taken from `seeds/` in a source checkout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from smscheck.charter import Charter
from smscheck.elections import calendar
from smscheck.packs import Pack, PackSpec, Rule
from smscheck.verdicts import Lang

FORMATS = ("text", "json", "markdown")


def _validity(rule: Rule) -> str:
    return f"{rule.valid_from} → {rule.valid_until or '…'}"


def _selected(packs: Sequence[Pack], at: date | None) -> list[tuple[Pack, list[Rule]]]:
    chosen = []
    for pack in packs:
        rules = [rule for rule in pack.rules if at is None or rule.in_force(at)]
        if rules:
            chosen.append((pack, rules))
    return chosen


def calendar_entries(at: date | None) -> list[dict[str, Any]]:
    """The electoral calendar's entries in force on `at` (all when None): the territories that
    vote a day early and the closing hours of each kind, always, and each election from its
    convening text to its last round."""
    known = calendar()
    early = [
        {
            "entry": "early_vote",
            "kinds": [kind.value for kind in entry.kinds],
            "territories": [territory.value for territory in entry.territories],
            "citation": known.citation(entry.source).model_dump(mode="json"),
        }
        for entry in known.spec.early
    ]
    closing = [
        {
            "entry": "polls_close",
            "kinds": [kind.value for kind in entry.kinds],
            "earliest": entry.earliest.isoformat("minutes"),
            "latest": entry.latest.isoformat("minutes"),
            "citation": known.citation(entry.source).model_dump(mode="json"),
        }
        for entry in known.spec.closing
    ]
    elections = [
        {
            "entry": "election",
            "name": election.name,
            "kind": election.kind.value,
            "rounds": [
                {
                    "date": round_.polling_date.isoformat(),
                    "territory_dates": {
                        territory.value: day.isoformat()
                        for territory, day in round_.territory_dates.items()
                    },
                }
                for round_ in election.rounds
            ],
            "polls_close": (
                {
                    "earliest": election.hours.earliest.isoformat("minutes"),
                    "latest": election.hours.latest.isoformat("minutes"),
                }
                if election.hours
                else None
            ),
            "citation": known.citation(election.source).model_dump(mode="json"),
        }
        for election in known.elections_at(at)
    ]
    return early + closing + elections


def _closes(hours: Mapping[str, str]) -> str:
    return f"polls close at {hours['earliest']} at the earliest, {hours['latest']} at the latest"


def _calendar_items(at: date | None) -> list[tuple[str, str]]:
    """Each calendar entry in force as (what it says, its source)."""
    items = []
    for entry in calendar_entries(at):
        cite = entry["citation"]
        if entry["entry"] == "early_vote":
            what = (
                f"{'/'.join(entry['kinds'])}: vote a day early in {', '.join(entry['territories'])}"
            )
        elif entry["entry"] == "polls_close":
            what = f"{'/'.join(entry['kinds'])}: {_closes(entry)} unless the decree says otherwise"
        else:
            days = ", ".join(
                round_["date"]
                + "".join(f" ({t} {d})" for t, d in round_["territory_dates"].items())
                for round_ in entry["rounds"]
            )
            hours = entry["polls_close"]
            closes = _closes(hours) if hours else "polls close as its kind"
            what = f"{entry['name']} ({entry['kind']}): {days}; {closes}"
        items.append((what, f"{cite['reference']} ({cite['confidence']}) <{cite['link']}>"))
    return items


def _text(packs: Sequence[Pack], lang: Lang, at: date | None) -> str:
    lines = [f"# rules in force on {at}" if at else "# all rules"]
    for pack, rules in _selected(packs, at):
        lines.append(f"{pack.id} {pack.version}: {pack.title}")
        for rule in rules:
            cite = rule.citation
            lines.append(
                f"  {rule.id:<16} {rule.concern.value:<16} {_validity(rule):<26} {rule.title[lang]}"
            )
            article = f", {cite.article}" if cite.article else ""
            lines.append(
                f"  {'':16} source: {cite.reference}{article} ({cite.confidence.value}) <{cite.link}>"
            )
    lines.append(f"electoral calendar{f' on {at}' if at else ''}:")
    for what, source in _calendar_items(at):
        lines += [f"  {what}", f"  {'':16} source: {source}"]
    return "\n".join(lines) + "\n"


def _json(packs: Sequence[Pack], lang: Lang, at: date | None) -> str:
    entries = [
        {
            "pack": pack.id,
            "pack_version": pack.version,
            "rule_id": rule.id,
            "concern": rule.concern.value,
            "severity": rule.severity.value,
            "title": rule.title[lang],
            "valid_from": rule.valid_from.isoformat(),
            "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
            "citation": rule.citation.model_dump(mode="json"),
        }
        for pack, rules in _selected(packs, at)
        for rule in rules
    ]
    return (
        json.dumps(
            {
                "at": at.isoformat() if at else None,
                "rules": entries,
                "calendar": calendar_entries(at),
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


# Seed statuses that show a rule failing, best example first.
_FAILING = ("fail", "warn", "review")
_CONFIDENCE_TEXT = {
    "read": "the wording was read at the link",
    "summary": "known from a reliable source quoting or summarising it",
    "unverified": "believed, not yet checked: the rule never gives worse than review",
}
REGENERATE = "smscheck rules --format markdown > docs/rules.md"


def checkout_seeds() -> Path | None:
    """The `seeds/` folder of a source checkout; None when installed from a wheel."""
    folder = Path(__file__).resolve().parent.parent / "seeds"
    return folder if folder.is_dir() else None


@dataclass(frozen=True, slots=True)
class Example:
    """A seed that shows a rule at work: its file, title, expected status and case."""

    file: str
    title: str
    status: str
    case: Mapping[str, Any]
    others: int  # how many other rules the seed expects to need action (fewer: clearer)
    passes: bool  # whether the seed as a whole passes


def _load_seeds(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    seeds = []
    for path in sorted(folder.glob("*.json")):
        try:
            seed = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(seed, dict) and isinstance(seed.get("expected"), dict) and "case" in seed:
            seeds.append((path.name, seed))
    return seeds


def seed_examples(folder: Path) -> dict[str, tuple[Example | None, Example | None]]:
    """For each rule the seeds name: the clearest seed failing it and the clearest passing it."""
    candidates: dict[str, list[Example]] = {}
    for name, seed in _load_seeds(folder):
        expected: dict[str, str] = seed["expected"].get("rules", {})
        needing = {rule for rule, status in expected.items() if status in _FAILING}
        for rule_id, status in expected.items():
            candidates.setdefault(rule_id, []).append(
                Example(
                    file=f"seeds/{name}",
                    title=str(seed.get("title", name)),
                    status=status,
                    case=seed["case"],
                    others=len(needing - {rule_id}),
                    passes=seed["expected"].get("status") == "pass",
                )
            )
    chosen = {}
    for rule_id, examples in candidates.items():
        failing = [e for e in examples if e.status in _FAILING]
        passing = [e for e in examples if e.status == "pass"]
        fail = min(
            failing, key=lambda e: (_FAILING.index(e.status), e.others, e.file), default=None
        )
        ok = min(passing, key=lambda e: (not e.passes, e.others, e.file), default=None)
        chosen[rule_id] = (fail, ok)
    return chosen


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_MARKDOWN_SPECIALS = str.maketrans({char: "\\" + char for char in "\\`*_[]<>#|"})


def _quote(body: str) -> list[str]:
    return [f"> {line.translate(_MARKDOWN_SPECIALS)}".rstrip() for line in body.splitlines()]


def _context(case: Mapping[str, Any]) -> str:
    """The facts besides the body that rules read: when, how, from whom, to whom."""
    message = case.get("message", {})
    recipient = case.get("recipient", {})
    election = case.get("campaign", {}).get("election", {})
    polling = ", ".join(str(r.get("polling_date")) for r in election.get("rounds", []))
    relayed = f", relayed by {message['relayed_by']}" if message.get("relayed_by") else ""
    history = len(case.get("campaign", {}).get("history", [])) + len(recipient.get("history", []))
    earlier = f"; {history} earlier message(s) on record" if history else ""
    return (
        f"Sent {message.get('send_at')} by {message.get('channel', 'sms')} from "
        f"`{message.get('sender')}`{relayed}; recipient: {recipient.get('relationship')}, "
        f"number from `{recipient.get('origin')}`; {election.get('kind')} election, "
        f"polling {polling}{earlier}."
    )


_LABELS = {"fail": "Fails", "warn": "Warns", "review": "Sent for review", "pass": "Passes"}


def _example(wanted: str, example: Example | None) -> list[str]:
    if example is None:
        return [f"**{_LABELS[wanted]}:** no seed shows this yet.", ""]
    return [
        f"**{_LABELS[example.status]}** (`{example.status}`): {example.title} — `{example.file}`",
        "",
        *_quote(str(example.case.get("message", {}).get("body", ""))),
        "",
        _context(example.case),
        "",
    ]


def _markdown(
    packs: Sequence[Pack],
    lang: Lang,
    at: date | None,
    examples: Mapping[str, tuple[Example | None, Example | None]] | None = None,
) -> str:
    """Every rule, in French and English, with its source and a failing and a passing seed.

    The same whatever `lang`: both languages are always shown."""
    chosen = _selected(packs, at)
    lines = [
        "# smscheck rule catalogue",
        "",
        f"Generated from the rule packs by `{REGENERATE}`: do not edit by hand.",
        "",
    ]
    if at:
        lines += [f"Rules in force on {at}.", ""]
    lines += [
        "Each rule says what it checks in French and English, what smscheck reports when it "
        "fails, what a person must check when it gives `review`, how to fix it, the text it rests on and how well that text was read:",
        "",
        *(f"- `{level}`: {meaning}." for level, meaning in _CONFIDENCE_TEXT.items()),
        "",
    ]
    if examples is None:
        lines += [
            "Examples: none. They come from the seed cases in `seeds/`, which were not found "
            "(an installed copy ships without them); render this from a source checkout to "
            "see a failing and a passing example under each rule.",
            "",
        ]
    else:
        lines += [
            "Under each rule, two seed cases from `seeds/`: one the rule fails (or warns "
            "about, or sends for review) and one it passes, with the message body quoted.",
            "",
        ]
    lines += ["## Packs", ""]
    lines += [
        f"- [{pack.id} {pack.version}](#{pack.id.replace('.', '')}): {pack.title} "
        f"({len(rules)} rule(s))"
        for pack, rules in chosen
    ]
    lines.append("")
    for pack, rules in chosen:
        lines += [f"## {pack.id}", "", f"{pack.title} — version {pack.version}.", ""]
        for rule in rules:
            cite = rule.citation
            article = f", {cite.article}" if cite.article else ""
            lines += [
                f"### {rule.id}",
                "",
                "| | |",
                "|---|---|",
                f"| Concern | `{rule.concern.value}` |",
                f"| Severity | `{rule.severity.value}` |",
                f"| In force | {_validity(rule)} |",
                f"| Checks (fr) | {_cell(rule.title.fr)} |",
                f"| Checks (en) | {_cell(rule.title.en)} |",
                f"| On failure (fr) | {_cell(rule.message.fr)} |",
                f"| On failure (en) | {_cell(rule.message.en)} |",
                f"| On review (fr) | {_cell(rule.review.fr)} |",
                f"| On review (en) | {_cell(rule.review.en)} |",
                f"| Remedy (fr) | {_cell(rule.remedy.fr)} |",
                f"| Remedy (en) | {_cell(rule.remedy.en)} |",
                f"| Source | [{_cell(cite.title)}]({cite.link}) — {_cell(cite.reference)}"
                f"{_cell(article)} ({cite.date}) |",
                f"| Confidence | `{cite.confidence.value}` |",
                "",
            ]
            if examples is not None:
                failing, passing = examples.get(rule.id, (None, None))
                lines += _example("fail", failing) + _example("pass", passing)
    lines += [
        "## Electoral calendar",
        "",
        "Built in (`smscheck/data/calendar.toml`); dates given in a case win.",
        "",
    ]
    lines += [f"- {what} — source: {source}" for what, source in _calendar_items(at)]
    return "\n".join(lines).rstrip("\n") + "\n"


_RENDERERS: Mapping[str, Callable[[Sequence[Pack], Lang, date | None], str]] = {
    "text": _text,
    "json": _json,
}


def render(
    packs: Sequence[Pack],
    fmt: str,
    lang: Lang,
    *,
    at: date | None = None,
    seeds: Path | Literal["checkout"] | None = "checkout",
) -> str:
    """The catalogue of `packs` in format `fmt`. Markdown takes its examples from `seeds`
    (by default the source checkout's `seeds/`); with no seeds folder it says so."""
    if fmt == "markdown":
        folder = checkout_seeds() if seeds == "checkout" else seeds
        found = seed_examples(folder) if folder is not None and folder.is_dir() else None
        return _markdown(packs, lang, at, found)
    return _RENDERERS[fmt](packs, lang, at)


class _PackFile(PackSpec):
    """A pack file as editors see it: the `[charter]` table with its own schema."""

    charter: Charter | None = None  # type: ignore[assignment]


def pack_schema() -> dict[str, Any]:
    """The JSON Schema of a pack file (`smscheck schema --pack`), for editors; docs/packs.md
    explains each key. A rule's `params` depend on its `kind` and are left open here."""
    schema = _PackFile.model_json_schema(mode="validation", by_alias=True)
    schema["title"] = "smscheck rule pack (pack.toml)"
    schema["description"] = (
        "A rule pack: [pack], [sources.<name>], [[rules]] and, for a charter pack, [charter]. "
        "See docs/packs.md."
    )
    return schema
