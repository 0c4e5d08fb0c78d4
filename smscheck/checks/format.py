"""Format: a sender field operators accept, replies it can receive, and the cost in SMS parts."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from smscheck.models import Frozen
from smscheck.outcome import (
    Context,
    NamedCheck,
    NoArgs,
    Outcome,
    Scope,
    Text,
    not_applicable,
    passed,
)
from smscheck.patterns import Pattern
from smscheck.segments import (
    GSM7_PART,
    GSM7_SINGLE,
    Segmentation,
    measure,
    suggest_replacements,
)
from smscheck.sender_field import classify_sender, generic_parts, phone_line
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


class GenericNames(Frozen):
    """Sender names that are only a generic word, and where the list comes from."""

    fr: str = Field(min_length=1, description="Who names these words as refused.")
    en: str = Field(min_length=1)
    names: tuple[str, ...] = Field(min_length=1, description="Upper-case ASCII words.")


class GenericArgs(Frozen):
    groups: tuple[GenericNames, ...] = Field(min_length=1)

    @cached_property
    def origins(self) -> dict[str, GenericNames]:
        return {name: group for group in self.groups for name in group.names}


def named_sender(ctx: Context, args: GenericArgs) -> Outcome:
    """An alphanumeric sender name says who sends, not only a generic word operators refuse."""
    sender = ctx.case.message.sender
    if classify_sender(sender, ctx.case.campaign.declared_numbers).kind != "alphanumeric":
        return not_applicable(
            Text(fr="L'émetteur n'est pas un nom alphanumérique.", en="The sender is not a name.")
        )
    parts = generic_parts(sender, args.origins.keys())
    if parts is None:
        return passed(Text(fr="Le nom désigne l'expéditeur.", en="The name identifies the sender."))
    words = [part for part in parts if not part.isdigit()]
    groups = [group for group in args.groups if any(word in group.names for word in words)]
    listed = " + ".join(words)
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"« {shown_sender(sender)} » n'est fait que de mots génériques ({listed}) : il ne "
            f"désigne aucun expéditeur ({' ; '.join(group.fr for group in groups)}).",
            en=f"'{shown_sender(sender)}' is made only of generic words ({listed}): it names no "
            f"sender ({'; '.join(group.en for group in groups)}).",
        ),
    )


def person_to_person_number(ctx: Context, args: NoArgs) -> Outcome:
    """A bulk campaign does not send from a French mobile number (06, 07)."""
    sender = ctx.case.message.sender
    line = phone_line(sender)
    if line is None:
        return not_applicable(
            Text(fr="L'émetteur n'est pas un numéro de téléphone.", en="The sender is no number.")
        )
    if line == "other":
        return passed(Text(fr="Ce n'est pas un numéro mobile.", en="It is not a mobile number."))
    return Outcome(
        Status.WARN,
        Text(
            fr=f"L'émetteur {shown_sender(sender)} est un numéro mobile, réservé aux communications "
            "entre personnes : un envoi automatisé en nombre n'y a pas sa place.",
            en=f"The sender {shown_sender(sender)} is a mobile number, reserved for communications "
            "between people: automated bulk sending does not belong there.",
        ),
    )


class Wording(Frozen):
    """A family of wordings: how to recognise it in a body."""

    fr: str
    en: str
    detect: tuple[Pattern, ...] = Field(min_length=1)

    def spans(self, body: str) -> tuple[Span, ...]:
        return tuple(span for pattern in self.detect for span in pattern.spans(body))

    def present(self, body: str) -> bool:
        return any(pattern.first(body) is not None for pattern in self.detect)


class Mention(Wording):
    """A mandatory mention, and a typical wording to add."""

    sample: str = Field(min_length=1)


def unanswerable(ctx: Context, asked: Text, evidence: tuple[Span, ...]) -> Outcome | None:
    """A failure when the message asks for an SMS reply its sender cannot receive, else None."""
    sender = ctx.case.message.sender
    if classify_sender(sender, ctx.case.campaign.declared_numbers).can_receive_replies:
        return None
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"{asked.fr} ne marche pas : l'émetteur {shown_sender(sender)} ne peut pas recevoir "
            "de réponse. Indiquez un numéro court (36xxx ou 38xxx) ou un lien.",
            en=f"{asked.en} cannot work: sender {shown_sender(sender)} cannot receive replies. "
            "Give a short code (36xxx or 38xxx) or a link.",
        ),
        evidence,
    )


class ReplyArgs(Frozen):
    asks: tuple[Wording, ...] = Field(min_length=1, description="Requests for an SMS reply.")


def reply_reachable(ctx: Context, args: ReplyArgs) -> Outcome:
    """A message that asks for an answer by SMS comes from a sender that can receive it."""
    body = ctx.case.message.body
    found = [(wording, spans) for wording in args.asks if (spans := wording.spans(body))]
    if not found:
        return not_applicable(
            Text(
                fr="Le message ne demande pas de réponse par SMS.", en="No SMS reply is asked for."
            )
        )
    asked = Text(
        fr="Demander " + " et ".join(wording.fr for wording, _ in found),
        en="Asking for " + " and ".join(wording.en for wording, _ in found),
    )
    evidence = tuple(span for _, spans in found for span in spans)
    return unanswerable(ctx, asked, evidence) or passed(
        Text(fr="L'émetteur peut recevoir la réponse.", en="The sender can receive the reply."),
        evidence,
    )


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
    if status is Status.PASS:
        return Outcome(status, reason)
    remedy = _remedy(ctx.case.message.body, ctx.case.message.merged, measured, complete, args)
    return Outcome(status, reason, evidence, remedy)


_OTHER_WAYS = Text(
    fr="ou renvoyez les mentions vers une notice en ligne.",
    en="or move the mentions to an online notice.",
)


def _remedy(
    body: str,
    merged: tuple[tuple[int, int], ...],
    measured: Segmentation,
    complete: Segmentation,
    args: LengthArgs,
) -> Text:
    """What to change in this body: the characters that force UCS-2 here (and whether a merge
    value brought them) and what replacing them saves; else how much to cut."""
    if measured.encoding == "gsm7":
        room = GSM7_SINGLE if args.max_parts == 1 else GSM7_PART * args.max_parts
        over = complete.units_used - room
        return Text(
            fr=f"Le texte est déjà en GSM 7 bits : raccourcissez-le d'environ {over} caractère(s) "
            f"pour tenir en {args.max_parts} partie(s), mentions comprises, {_OTHER_WAYS.fr}",
            en=f"The text is already GSM 7-bit: shorten it by about {over} character(s) to fit "
            f"in {args.max_parts} part(s), mentions included, {_OTHER_WAYS.en}",
        )
    from_merge = {t.char for t in measured.ucs2_triggers if _within(t.index, merged)}
    in_text = {t.char for t in measured.ucs2_triggers if not _within(t.index, merged)}
    chars = list(dict.fromkeys(t.char for t in measured.ucs2_triggers))
    steps = suggest_replacements(body, allow_lossy=True)
    after = steps[-1].parts_after if steps else measured.part_count
    listed_fr = ", ".join(f"« {c} »{_origin(c, from_merge, in_text, 'fr')}" for c in chars[:8])
    listed_en = ", ".join(f"« {c} »{_origin(c, from_merge, in_text, 'en')}" for c in chars[:8])
    swaps = ", ".join(f"« {step.from_char} » → « {step.to} »" for step in steps[:8])
    kept = [c for c in chars if not any(c in step.from_char for step in steps)]
    fr = [f"Ces caractères imposent l'UCS-2 (70 unités par SMS au lieu de 160) : {listed_fr}."]
    en = [f"These characters force UCS-2 (70 units per SMS instead of 160): {listed_en}."]
    if steps:
        fr.append(f"Remplacer {swaps} ferait passer de {measured.part_count} à {after} partie(s).")
        en.append(f"Replacing {swaps} takes it from {measured.part_count} to {after} part(s).")
    if kept:
        fr.append(f"Sans équivalent en GSM 7 bits, à retirer : {', '.join(kept[:8])}.")
        en.append(f"No GSM 7-bit equivalent, to remove: {', '.join(kept[:8])}.")
    if from_merge:
        fr.append("Pour un champ de fusion, corrigez la valeur dans le fichier des destinataires.")
        en.append("For a merge field, fix the value in the recipients' file.")
    fr.append(f"Sinon raccourcissez le texte, {_OTHER_WAYS.fr}")
    en.append(f"Otherwise shorten the text, {_OTHER_WAYS.en}")
    return Text(fr=" ".join(fr), en=" ".join(en))


def _within(index: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= index < end for start, end in spans)


def _origin(char: str, from_merge: set[str], in_text: set[str], lang: str) -> str:
    if char not in from_merge:
        return ""
    if char in in_text:
        return " (texte et champ de fusion)" if lang == "fr" else " (text and merge field)"
    return " (champ de fusion)" if lang == "fr" else " (merge field)"


CHECKS = {
    "format.valid_sender": NamedCheck(valid_sender, NoArgs, Scope.MESSAGE),
    "format.within_parts": NamedCheck(within_parts, LengthArgs, Scope.MESSAGE),
    "format.named_sender": NamedCheck(named_sender, GenericArgs, Scope.MESSAGE),
    "format.person_to_person_number": NamedCheck(person_to_person_number, NoArgs, Scope.MESSAGE),
    "format.reply_reachable": NamedCheck(reply_reachable, ReplyArgs, Scope.MESSAGE),
}
