"""How a case's report is laid out: its batch's fixed verdicts and its open rules' verdicts, in
rule order, less what the report of its template gives already.

A campaign's recipients share their message's fixed verdicts; what is left per recipient is
the verdicts of the rules still open (see `engine.Checker`). A `Layout` says, once per batch
and template report, where each fixed verdict goes and which open verdict fills each other
slot (made again when a rule of the batch gets fixed); laying a case out is then a pass
over those slots. Merged bodies (a batch each) mostly get equal fixed verdicts where a report
shows them: they share one layout (`Layouts`), and so their laid-out reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from smscheck.verdicts import Status, TemplateReport, Verdict, worst

# Template reports whose `given` is kept, by identity; distinct layouts kept.
_MAX_GIVENS = 4096
_MAX_DISTINCT = 4096


@dataclass(frozen=True, slots=True)
class Layout:
    """A report's verdicts as the batch gives them while `open` are its open rules: for each
    rule in order, its fixed verdict (left out when its template's report gives it already)
    or the position of its verdict among the open rules' verdicts of a case."""

    serial: int  # never reused: stands for this layout in the keys of laid-out reports
    basis: TemplateReport | None  # held: its id stays its own
    given: dict[str, tuple[object, object]] | None  # see `given`; None: every verdict shown
    slots: tuple[Verdict | int, ...]
    worst_fixed: Status  # the worst counted status of the fixed verdicts
    empty: bool  # no rule at all: a report with no verdict needs a person's look

    @classmethod
    def of(
        cls,
        fixed: list[Verdict | None],
        still_open: tuple[int, ...],
        template: TemplateReport | None,
    ) -> Layout:
        """The layout of a batch whose rules have these `fixed` verdicts (None for the rules
        in `still_open`), split from `template`'s report (None: the whole report)."""
        known = None if template is None else given(template)
        position = {index: at for at, index in enumerate(still_open)}
        slots: list[Verdict | int] = []
        counted = []
        for index, verdict in enumerate(fixed):
            if index in position:
                slots.append(position[index])
                continue
            assert verdict is not None  # not open: fixed
            counted.append(verdict.counted)
            if shown(verdict, known):
                slots.append(verdict)
        return cls(next(_SERIALS), template, known, tuple(slots), worst(counted), not fixed)


class Layouts:
    """One layout per distinct value: what `lay_out` reads of it (the verdicts in its slots,
    compared by value, its open positions, the status of its fixed verdicts, its template
    report by identity), at most `size` of them (then made anew)."""

    def __init__(self, size: int = _MAX_DISTINCT) -> None:
        self.size = size
        self._made: dict[tuple[object, ...], Layout] = {}

    def of(
        self,
        fixed: list[Verdict | None],
        still_open: tuple[int, ...],
        template: TemplateReport | None,
    ) -> Layout:
        """`Layout.of`, or an equal layout made before."""
        made = Layout.of(fixed, still_open, template)
        key = (made.slots, made.worst_fixed, made.empty, id(template))
        found = self._made.get(key)
        if found is not None and found.basis is template:  # it holds it: the id is its own
            return found
        if len(self._made) >= self.size:
            self._made = {}
        self._made[key] = made
        return made


def differing(verdicts: tuple[Verdict, ...], template: TemplateReport) -> tuple[Verdict, ...]:
    """A recipient's verdicts less those its template's report already gives (same rule, same
    status and acceptance): what remains is what differs per recipient."""
    known = given(template)
    return tuple(verdict for verdict in verdicts if shown(verdict, known))


@dataclass(frozen=True, slots=True)
class Laid:
    """A laid-out report's verdicts and status; holds the open verdicts its key names by id."""

    opened: tuple[Verdict, ...]
    verdicts: tuple[Verdict, ...]
    status: Status


def lay_out(layout: Layout, opened: tuple[Verdict, ...]) -> Laid:
    """A case's report from its batch's layout and its open rules' verdicts, in order."""
    if layout.empty:
        return Laid(opened, (), Status.REVIEW)
    known = layout.given
    verdicts = []
    for slot in layout.slots:
        if type(slot) is int:
            verdict = opened[slot]
            if shown(verdict, known):
                verdicts.append(verdict)
        else:
            verdicts.append(slot)  # type: ignore[arg-type]  # a fixed verdict
    status = worst((layout.worst_fixed, *(verdict.counted for verdict in opened)))
    return Laid(opened, tuple(verdicts), status)


def shown(verdict: Verdict, known: dict[str, tuple[object, object]] | None) -> bool:
    """Whether a recipient's report shows the verdict: not when its template's gives it
    (`known`: see `given`; None, every verdict is shown)."""
    return known is None or known.get(verdict.rule_id, _PER_RECIPIENT) != (
        verdict.status,
        verdict.accepted,
    )


_SERIALS = count()

# What `given` gives a rule that each recipient's report must show: equal to no verdict's.
_PER_RECIPIENT = (None, None)
_givens: dict[int, tuple[TemplateReport, dict[str, tuple[object, object]]]] = {}


def given(template: TemplateReport) -> dict[str, tuple[object, object]]:
    """Each rule's (status, acceptance) in the template's report, less the rules that need a
    recipient; worked out once per report."""
    found = _givens.get(id(template))
    if found is None or found[0] is not template:  # the entry holds it: its id stays its own
        statuses: dict[str, tuple[object, object]] = {
            verdict.rule_id: (verdict.status, verdict.accepted) for verdict in template.verdicts
        }
        for rule_id in template.per_recipient:
            statuses[rule_id] = _PER_RECIPIENT
        if len(_givens) >= _MAX_GIVENS:
            _givens.clear()
        found = _givens[id(template)] = (template, statuses)
    return found[1]
