"""The check engine: resolve the rules in force at the send date, run them, gather a report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from pathlib import Path
from typing import TypeVar, get_args

from smscheck import acceptance, running
from smscheck.layout import Laid, Layout, Layouts, differing, lay_out
from smscheck.models import Campaign, Case, Message, Recipient, trusted
from smscheck.outcome import Context, Outcome, Scope, Text, path_scope
from smscheck.packs import Pack, Rule, distinct_rules, load_pack, rules_at, shipped_packs
from smscheck.patterns import case_budget
from smscheck.phones import mask, to_e164
from smscheck.recent import MAX_REPORTS, Recent
from smscheck.selection import Selection
from smscheck.sharing import Read, Traced, Tree
from smscheck.verdicts import (
    Lang,
    PackRef,
    Report,
    Status,
    TemplateReport,
    Verdict,
    status_of,
)

# Distinct messages, campaigns and verdict combinations whose shared work is kept.
_MAX_BATCHES = 4096
# Layouts a batch keeps, one per template report its cases are split from (usually one).
_MAX_LAYOUTS = 8


@dataclass(slots=True)
class _Batch:
    """What is shared by the cases of one message and campaign."""

    message: Message
    campaign: Campaign
    token: int  # the campaign's value: equal campaigns share one token
    rule_set: _RuleSet  # what the batch's reports name: packs, rules left out
    rules: tuple[Rule, ...]  # the rule set's, as `per_message`: read for every case
    per_message: tuple[bool, ...]  # for each rule, whether it reads only the message
    trees: tuple[Tree, ...]  # for each rule, its verdicts by what it reads
    # For each rule, its verdict for every case of the batch once known: a message-only rule's,
    # or one whose run read nothing of the recipient. `open` lists the rules still without.
    fixed: list[Verdict | None]
    open: tuple[int, ...]
    # How reports are laid out from `fixed` and the open rules' verdicts, by the template
    # report they are split from (None: whole), with the `open` they were made for (made again
    # when it changes).
    layouts: dict[int, tuple[tuple[int, ...], Layout]] = field(default_factory=dict)

    def fix(self, index: int, verdict: Verdict) -> None:
        """Give rule `index` this verdict for all the batch's cases."""
        self.fixed[index] = verdict
        self.open = tuple(other for other in self.open if other != index)


@dataclass(frozen=True, slots=True)
class _RuleSet:
    """The rules a batch runs on `at`, those the selection leaves out, their packs, and for
    each rule whether it reads only the message."""

    at: date
    rules: tuple[Rule, ...]
    ignored: tuple[str, ...]
    refs: tuple[PackRef, ...]
    per_message: tuple[bool, ...]


class Checker:
    """Checks cases against a fixed set of packs; reuse one for many cases.

    `suppressed` holds numbers that must receive nothing, written in any usual way (an invalid
    one raises `PhoneNumberError`). Unless `show_numbers`, phone numbers in evidence and
    messages are masked, as the recipient's is (`06 ** ** ** 32`; offsets still hold).

    A rule's verdict is computed once for all the cases of a campaign that agree on the fields
    the rule reads (see `smscheck.sharing`): a campaign's recipients share most of their work,
    whether their cases share objects or were built apart from equal values.
    """

    def __init__(
        self,
        packs: Sequence[Pack] | None = None,
        *,
        extra: Iterable[Pack | Path | str] = (),
        suppressed: Iterable[str] = frozenset(),
        lang: Lang = "fr",
        show_numbers: bool = False,
        selection: Selection | None = None,
    ) -> None:
        if lang not in get_args(Lang):
            raise ValueError(
                f"unknown language {lang!r}: smscheck speaks {' and '.join(get_args(Lang))}"
            )
        added = tuple(pack if isinstance(pack, Pack) else load_pack(pack) for pack in extra)
        self.packs: tuple[Pack, ...] = distinct_rules(
            (tuple(shipped_packs()) if packs is None else tuple(packs)) + added
        )
        self.lang: Lang = lang
        self.show_numbers = show_numbers
        if isinstance(suppressed, str):  # one number would be read as its characters
            raise TypeError("`suppressed` is a collection of numbers, not a string")
        # Any usual writing of a number, compared as recipients' numbers are: in E.164.
        self.suppressed = frozenset(map(to_e164, suppressed))
        self.selection = selection or Selection()
        self.rule_ids = frozenset(rule.id for pack in self.packs for rule in pack.rules)
        # Verdict tuples derived from shared ones (accepted, split from their template's),
        # kept by the identity of what they derive from, as the shared tuples are.
        self._derived: dict[tuple[int, int], tuple[object, object, tuple[Verdict, ...]]] = {}
        self.charters = {pack.charter: pack for pack in self.packs if pack.charter}
        self._charter_packs = {pack.id for pack in self.charters.values()}
        self._at: dict[date, tuple[Rule, ...]] = {}
        self._rule_sets: dict[tuple[date, str | None], _RuleSet] = {}
        self._last: _Batch | None = None
        self._tokens: dict[str, int] = {}
        self._tokens_by_id: dict[int, tuple[Campaign, int]] = {}
        self._batches: dict[tuple[object, ...], _Batch] = {}
        # Batches by the id of a message they were found for, with that message and campaign.
        self._batch_of: dict[int, tuple[Message, Campaign, _Batch]] = {}
        self._trees = {rule_id: Tree() for rule_id in self.rule_ids}
        self._layouts = Layouts()
        self._laid: Recent[tuple[int, ...], Laid] = Recent(MAX_REPORTS)
        self._made: dict[tuple[str, Outcome, str | None], Verdict] = {}
        self._verdicts: dict[Verdict, Verdict] = {}  # one object per distinct verdict
        self._shared_reports: Recent[
            tuple[int, Status, int, int],
            tuple[tuple[Verdict, ...], _RuleSet, TemplateReport | None, Report],
        ] = Recent(MAX_REPORTS)

    def rules_at(self, at: date) -> tuple[Rule, ...]:
        """The rules in force on `at` (cached per date)."""
        found = self._at.get(at)
        if found is None:
            found = self._at[at] = rules_at(self.packs, at)
        return found

    def check(
        self,
        case: Case,
        *,
        source: str | None = None,
        accept: Mapping[str, str] | None = None,
        template: TemplateReport | None = None,
    ) -> Report:
        """The case's report. `accept`: findings accepted with a reason (AcceptanceError for
        one that cannot be). `template`: the report of the template the case was filled from;
        the report then holds only the verdicts that differ from it (and those of rules that
        need a recipient), its status still the whole case's."""
        shared = self.shared_report(case, accept=accept, template=template)
        return shared.filled(self.shown_number(case.recipient.number), source)

    def shown_number(self, number: str) -> str:
        """A recipient's number as reports show it: masked unless the checker shows numbers."""
        return number if self.show_numbers else mask(number)

    def shared_report(
        self,
        case: Case,
        *,
        accept: Mapping[str, str] | None = None,
        template: TemplateReport | None = None,
    ) -> Report:
        """The case's report less its recipient and source (`recipient` empty, `source` None),
        as `check` takes the same arguments: one object for the cases given the same verdicts
        and status under the same rules in force and template (once the first case of a message
        has settled the rules that read nothing of a recipient; merged bodies that get the same
        verdicts share it), so that what is rendered or counted from it is done once (see
        `Report.filled`)."""
        batch = self._batch(case)
        if accept:  # an accepted finding changes its verdict and the status: all of them first
            verdicts, status = self._laid_out(batch, case, None)
            verdicts = self._derive(verdicts, accept, acceptance.apply)
            status = status_of(verdicts)
            if template is not None:
                verdicts = self._derive(verdicts, template, differing)
        else:
            verdicts, status = self._laid_out(batch, case, template)
        # The status is in the key: the empty tuple is one object, whatever status goes with it.
        rule_set = batch.rule_set
        key = (id(verdicts), status, id(rule_set), id(template))
        found = self._shared_reports.found(key)
        # The entry holds what its key names by id, so that those ids stay their own.
        if found is None or not (
            found[0] is verdicts and found[1] is rule_set and found[2] is template
        ):
            report = trusted(
                Report,
                {
                    "status": status,
                    "verdicts": verdicts,
                    "packs": rule_set.refs,
                    "resolved_at": rule_set.at,
                    "lang": self.lang,
                    "recipient": "",
                    "source": None,
                    "template": None if template is None else template.source,
                    "ignored": rule_set.ignored,
                },
            )
            found = self._shared_reports.keep(key, (verdicts, rule_set, template, report))
        return found[3]

    def check_template(
        self,
        message: Message,
        campaign: Campaign,
        *,
        source: str,
        template_id: str | None = None,
        accept: Mapping[str, str] | None = None,
    ) -> TemplateReport:
        """A campaign template checked without recipients: rules that read only the message,
        sender, date and campaign; the others `not_applicable`, as depending on the recipient.
        AcceptanceError if `accept` names an unknown rule or a finding that cannot be accepted.
        """
        if accept:
            acceptance.check_names(accept, self.rule_ids)
        case = trusted(Case, {"message": message, "recipient": _NOBODY, "campaign": campaign})
        batch = self._batch(case)
        context = Context(case=case, suppressed=self.suppressed, charters=self.charters)
        verdicts, per_recipient = [], []
        with case_budget():
            for index, rule in enumerate(batch.rules):
                if not batch.per_message[index]:
                    verdicts.append(self._verdict(rule, _DEPENDS_ON_RECIPIENT, message.body))
                    per_recipient.append(rule.id)
                    continue
                verdicts.append(batch.fixed[index] or self._shared(batch, index, context))
        found = tuple(verdicts)
        if accept:
            found = acceptance.apply(found, accept)
        return TemplateReport(
            template=template_id,
            status=status_of(found),
            verdicts=found,
            packs=batch.rule_set.refs,
            resolved_at=batch.rule_set.at,
            lang=self.lang,
            source=source,
            per_recipient=tuple(per_recipient),
            ignored=batch.rule_set.ignored,
        )

    def _derive(
        self,
        verdicts: tuple[Verdict, ...],
        basis: _Basis,
        derive: Callable[[tuple[Verdict, ...], _Basis], tuple[Verdict, ...]],
    ) -> tuple[Verdict, ...]:
        """`derive(verdicts, basis)`, computed once per (verdicts, basis) pair of objects."""
        key = (id(verdicts), id(basis))
        found = self._derived.get(key)
        if found is not None and found[0] is verdicts and found[1] is basis:
            return found[2]
        derived = derive(verdicts, basis)
        if len(self._derived) > _MAX_BATCHES:
            self._derived.clear()
        self._derived[key] = (verdicts, basis, derived)
        return derived

    def _batch(self, case: Case) -> _Batch:
        """The shared state of this message and campaign: the same objects as the last case,
        or equal values (personalised bodies repeat, e.g. first names; a library user may
        build each case's campaign anew)."""
        message, campaign, last = case.message, case.campaign, self._last
        if last is not None and last.message is message and last.campaign is campaign:
            return last
        # Merged messages alternate from one recipient to the next: their objects are looked up
        # first, as hashing a message reads its whole body.
        seen = self._batch_of.get(id(message))
        if seen is not None and seen[0] is message and seen[1] is campaign:
            self._last = seen[2]
            return seen[2]
        token = self._token(campaign)
        # The message's fields and values as a plain tuple: hashed and compared in C, unlike the
        # model. Equal instants at other UTC offsets are equal datetimes, not the same local day.
        key = (token, type(message), message.send_at.utcoffset(), *message.__dict__.items())
        found = self._batches.get(key)
        if found is None:
            if len(self._batches) >= _MAX_BATCHES:
                self._batches = {}
            found = self._batches[key] = self._new_batch(case, token)
        if len(self._batch_of) >= _MAX_BATCHES:
            self._batch_of = {}
        self._batch_of[id(message)] = (message, campaign, found)  # held: the id stays theirs
        self._last = found
        return found

    def _token(self, campaign: Campaign) -> int:
        """A number standing for the campaign's value, never reused by another value: found by
        the object's identity, else by its value (campaigns hold dicts: their JSON stands for
        it)."""
        last = self._last
        if last is not None and last.campaign is campaign:
            return last.token
        seen = self._tokens_by_id.get(id(campaign))
        if seen is not None and seen[0] is campaign:
            return seen[1]
        value = campaign.model_dump_json()
        token = self._tokens.get(value)
        if token is None:
            if len(self._tokens) >= _MAX_BATCHES:
                self._tokens = {}
            token = self._tokens[value] = next(_TOKENS)
        if len(self._tokens_by_id) >= _MAX_BATCHES:
            self._tokens_by_id = {}
        self._tokens_by_id[id(campaign)] = (campaign, token)  # holds it: the id stays its own
        return token

    def _new_batch(self, case: Case, token: int) -> _Batch:
        at = case.message.send_at.date()
        own = self.charters.get(case.campaign.charter or "")
        rules = self._rule_set(at, own.id if own is not None else None)
        batch = _Batch(
            case.message,
            case.campaign,
            token,
            rules,
            rules.rules,
            rules.per_message,
            tuple(self._trees[rule.id] for rule in rules.rules),
            [None] * len(rules.rules),
            tuple(range(len(rules.rules))),
        )
        for index, tree in enumerate(batch.trees):
            if not batch.per_message[index]:
                known = tree.for_every_recipient(token, case.message)
                if known is not None:
                    batch.fix(index, known)
        return batch

    def _rule_set(self, at: date, own_charter: str | None) -> _RuleSet:
        """The rules run on `at` for a campaign under `own_charter`, worked out once for all
        the batches (a batch per merged body) that share them."""
        key = (at, own_charter)
        found = self._rule_sets.get(key)
        if found is not None:
            return found
        in_force = [
            rule
            for rule in self.rules_at(at)
            if rule.pack not in self._charter_packs or rule.pack == own_charter
        ]
        rules = tuple(rule for rule in in_force if self.selection.keeps(rule.id))
        used = frozenset(rule.pack for rule in rules)
        if len(self._rule_sets) >= _MAX_BATCHES:
            self._rule_sets = {}
        found = self._rule_sets[key] = _RuleSet(
            at,
            rules,
            tuple(rule.id for rule in in_force if not self.selection.keeps(rule.id)),
            tuple(PackRef(name=p.id, version=p.version) for p in self.packs if p.id in used),
            tuple(map(_reads_message_only, rules)),
        )
        return found

    def _laid_out(
        self, batch: _Batch, case: Case, template: TemplateReport | None
    ) -> tuple[tuple[Verdict, ...], Status]:
        """The case's verdicts (less those its template's report gives, if any) and its whole
        status: the batch's fixed verdicts laid out with the open rules' ones, found along the
        paths they read or computed. The same tuple for the same verdicts, so that what is
        derived or rendered from it is done once."""
        # `open` before `fixed`: `fix` writes `fixed` first, so a rule that another thread
        # fixes in between is still in `open` here (and then found fixed), never in neither.
        still_open = batch.open
        made = batch.layouts.get(id(template))
        if made is None or made[0] is not still_open or made[1].basis is not template:
            if len(batch.layouts) >= _MAX_LAYOUTS:  # template reports made anew for each case
                batch.layouts.clear()
            layout = self._layouts.of(batch.fixed, still_open, template)
            batch.layouts[id(template)] = (still_open, layout)
        else:
            layout = made[1]
        opened = self._open_verdicts(batch, case, still_open)
        key = (layout.serial, *map(id, opened))
        laid = self._laid.found(key)
        if laid is None:
            laid = self._laid.keep(key, lay_out(layout, opened))
        return laid.verdicts, laid.status

    def _open_verdicts(
        self, batch: _Batch, case: Case, still_open: tuple[int, ...]
    ) -> tuple[Verdict, ...]:
        """The verdicts of the rules in `still_open`, in order: fixed meanwhile, found along
        the path each reads, or computed."""
        recipient, message, token = case.recipient, batch.message, batch.token
        fixed, per_message, trees = batch.fixed, batch.per_message, batch.trees
        found: list[Verdict | None] = []
        missing: list[tuple[int, int, bool]] = []  # (position, rule, whether to keep it)
        for index in still_open:
            verdict = fixed[index]
            if verdict is None:
                if per_message[index]:
                    missing.append((len(found), index, True))
                else:
                    kept = trees[index].find(token, message, recipient)
                    if type(kept) is Verdict:
                        verdict = kept
                    else:
                        missing.append((len(found), index, kept is None))
            found.append(verdict)
        if missing:
            with case_budget():  # the patterns of all the rules share one time budget per case
                for at, index, keep in missing:
                    found[at] = self._computed(batch, index, case, keep)
        return tuple(found)  # type: ignore[arg-type]  # every None was computed

    def _computed(self, batch: _Batch, index: int, case: Case, keep: bool) -> Verdict:
        """A rule's verdict on the case; kept, unless `keep` is false, for the cases that have
        the same values along the path it read (all the batch's, if it read nothing of the
        recipient)."""
        rule = batch.rules[index]
        if not keep or batch.per_message[index]:
            context = Context(case=case, suppressed=self.suppressed, charters=self.charters)
            if batch.per_message[index]:
                return self._shared(batch, index, context)
            return self._verdict(rule, running.outcome_of(rule, context), case.message.body)
        path: dict[Read, object] = {}
        traced = trusted(
            Case,
            {
                "message": Traced(case.message, "message", path),
                "recipient": Traced(case.recipient, "recipient", path),
                "campaign": case.campaign,
            },
        )
        context = Context(case=traced, suppressed=self.suppressed, charters=self.charters)
        outcome = running.outcome_of(rule, context)
        verdict = self._verdict(rule, outcome, case.message.body)
        if isinstance(outcome, running.TimedOut):
            return verdict
        if all(source == "message" for source, _ in path):
            batch.fix(index, verdict)  # the batch's cases share the message: the same path
        if outcome.evidence:  # quoted spans are masked against the body
            path.setdefault(("message", "body"), case.message.body)
        batch.trees[index].keep(batch.token, path, verdict)  # for other messages too
        return verdict

    def _shared(self, batch: _Batch, index: int, context: Context) -> Verdict:
        """A message-only rule's verdict, kept for the batch's other cases unless the case's
        time budget ran out (that review is the case's own)."""
        rule = batch.rules[index]
        outcome = running.outcome_of(rule, context)
        verdict = self._verdict(rule, outcome, context.case.message.body)
        if not isinstance(outcome, running.TimedOut):
            batch.fix(index, verdict)
        return verdict

    def _verdict(self, rule: Rule, outcome: Outcome, body: str) -> Verdict:
        """The verdict an outcome of the rule gives: one object for equal verdicts (evidence is
        masked against the body, so an outcome with evidence gives it once per body)."""
        key = (rule.id, outcome, body if outcome.evidence else None)
        try:
            found = self._made.get(key)
        except TypeError:  # an outcome quoting something unhashable: made each time
            return running.verdict_of(rule, outcome, body, self.lang, self.show_numbers)
        if found is None:
            if len(self._made) >= _MAX_BATCHES:
                self._made = {}
            found = running.verdict_of(rule, outcome, body, self.lang, self.show_numbers)
            # Evidence quoted from one body is often equal to another's (the same text at the
            # same place): one object for both, so that the reports holding it are one too.
            if len(self._verdicts) >= _MAX_BATCHES:
                self._verdicts = {}
            found = self._made[key] = self._verdicts.setdefault(found, found)
        return found


_Basis = TypeVar("_Basis")


# The recipient of a template checked alone: never read, as only rules that read nothing of the
# recipient are run for a template.
_NOBODY = Recipient.model_construct(number="+33600000000")
_DEPENDS_ON_RECIPIENT = Outcome(
    Status.NOT_APPLICABLE,
    Text(
        fr="(dépend du destinataire : vérifié dans le rapport de chacun.)",
        en="(depends on the recipient: checked in each recipient's report.)",
    ),
)


def _reads_message_only(rule: Rule) -> bool:
    return rule.built.scope is Scope.MESSAGE and all(
        path_scope(path) is Scope.MESSAGE for path in rule.when
    )


_TOKENS = count()


def check(
    case: Case,
    *,
    packs: Sequence[Pack] | None = None,
    extra: Iterable[Pack | Path | str] = (),
    suppressed: Iterable[str] = frozenset(),
    lang: Lang = "fr",
) -> Report:
    """Check one case against the shipped packs (or `packs`), plus any `extra` packs.

    Calls with the same pack objects (loaded packs, not paths: a file is read at each call),
    suppressed numbers and language share one checker, and so its work."""
    extra = tuple(extra)
    if isinstance(suppressed, str) or not all(isinstance(pack, Pack) for pack in extra):
        return Checker(packs, extra=extra, suppressed=suppressed, lang=lang).check(case)
    suppressed = frozenset(suppressed)  # read once: it may be an iterator
    given = None if packs is None else tuple(packs)
    ids = None if given is None else tuple(map(id, given))
    key = (ids, tuple(map(id, extra)), suppressed, lang)
    found = _checkers.get(key)
    if found is None:  # the entry holds the packs: their ids stay theirs
        if len(_checkers) >= _MAX_CHECKERS:
            _checkers.clear()
        checker = Checker(given, extra=extra, suppressed=suppressed, lang=lang)
        found = _checkers[key] = (checker, (given, extra))
    return found[0].check(case)


_MAX_CHECKERS = 8
_checkers: dict[tuple[object, ...], tuple[Checker, object]] = {}
