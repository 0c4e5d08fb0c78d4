"""Format: a sender field operators accept, and what the message costs in SMS parts."""

from __future__ import annotations

from pydantic import Field

from smscheck.models import Frozen
from smscheck.outcome import Context, NamedCheck, NoArgs, Outcome, Scope, Text, passed
from smscheck.patterns import Pattern
from smscheck.segments import Segmentation, measure, suggest_replacements
from smscheck.sender_field import classify_sender
from smscheck.text import shown_sender
from smscheck.verdicts import Span, Status

_KINDS = {
    "alphanumeric": Text(fr="nom alphanumérique", en="alphanumeric name"),
    "short_code": Text(fr="numéro court", en="short code"),
    "phone_number": Text(fr="numéro déclaré par la campagne", en="number declared by the campaign"),
}


def valid_sender(ctx: Context, args: NoArgs) -> Outcome:
    """The sender field is one French operators deliver, and replies reach the campaign or not."""
    message = ctx.case.message
    field = classify_sender(message.sender, ctx.case.campaign.declared_numbers)
    if not field.valid:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Émetteur « {shown_sender(message.sender)} » refusé : {field.reason_fr}",
                en=f"Sender '{shown_sender(message.sender)}' rejected: {field.reason_en}",
            ),
        )
    kind = _KINDS[field.kind]
    replies = (
        Text(fr="", en="")
        if field.can_receive_replies
        else Text(fr=" (ne peut pas recevoir de réponse)", en=" (cannot receive replies)")
    )
    return passed(Text(fr=f"{kind.fr}{replies.fr}.", en=f"{kind.en}{replies.en}."))


class Mention(Frozen):
    """A mandatory mention: how to recognise it in a body, and a typical wording to add."""

    fr: str
    en: str
    detect: tuple[Pattern, ...] = Field(min_length=1)
    sample: str = Field(min_length=1)

    def present(self, body: str) -> bool:
        return any(pattern.first(body) is not None for pattern in self.detect)


class LengthArgs(Frozen):
    max_parts: int = Field(ge=1, description="More parts than this warns (each part is billed).")
    mentions: tuple[Mention, ...] = ()


def _cost(measured: Segmentation) -> Text:
    encoding = "GSM 7 bits" if measured.encoding == "gsm7" else "UCS-2"
    return Text(
        fr=f"{measured.part_count} partie(s) en {encoding}, {measured.units_left_in_last_part} "
        "unité(s) libres dans la dernière",
        en=f"{measured.part_count} part(s) in {encoding}, {measured.units_left_in_last_part} "
        "unit(s) left in the last",
    )


def within_parts(ctx: Context, args: LengthArgs) -> Outcome:
    """The body, with the mandatory mentions it still lacks, fits in `max_parts` parts."""
    body = ctx.case.message.body
    measured = measure(body)
    missing = [mention for mention in args.mentions if not mention.present(body)]
    complete = measure(" ".join([body, *(mention.sample for mention in missing)]))
    cost = _cost(measured)
    notes_fr, notes_en = [cost.fr], [cost.en]
    if missing:
        names_fr = ", ".join(mention.fr for mention in missing)
        names_en = ", ".join(mention.en for mention in missing)
        notes_fr.append(f"avec {names_fr}, il passerait à {complete.part_count} partie(s)")
        notes_en.append(f"adding {names_en} makes it {complete.part_count} part(s)")
    steps = suggest_replacements(body)
    if steps and steps[-1].parts_after < measured.part_count:
        listed = ", ".join(f"« {step.from_char} » → « {step.to} »" for step in steps)
        saved = measured.part_count - steps[-1].parts_after
        notes_fr.append(f"remplacer {listed} ferait gagner {saved} partie(s)")
        notes_en.append(f"replacing {listed} saves {saved} part(s)")
    evidence = tuple(
        Span(start=trigger.index, end=trigger.index + len(trigger.char), text=trigger.char)
        for trigger in measured.ucs2_triggers[:5]
    )
    status = Status.WARN if complete.part_count > args.max_parts else Status.PASS
    reason = Text(fr=" ; ".join(notes_fr) + ".", en="; ".join(notes_en) + ".")
    return Outcome(status, reason, evidence if status is Status.WARN else ())


CHECKS = {
    "format.valid_sender": NamedCheck(valid_sender, NoArgs, Scope.MESSAGE),
    "format.within_parts": NamedCheck(within_parts, LengthArgs, Scope.MESSAGE),
}
