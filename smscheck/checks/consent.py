"""Consent and data origin: may this recipient be texted, given where the number came from?"""

from __future__ import annotations

from typing import Literal

from smscheck.labels import label
from smscheck.models import Frozen, Origin, Purpose, Recipient, Relationship
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, passed
from smscheck.verdicts import Status

# GDPR art. 9(2)(d) and the CNIL: a party may write to its members and regular contacts.
_CLOSE = frozenset({Relationship.MEMBER, Relationship.FORMER_MEMBER, Relationship.REGULAR_CONTACT})
# Files the CNIL forbids for political canvassing whatever the message says.
FORBIDDEN_ORIGINS = frozenset(
    {Origin.PUBLIC_BODY_FILE, Origin.COMPANY_FILE, Origin.OTHER_PURPOSE_FILE}
)
# Numbers that did not come from the person or the party: first message may only ask consent.
_THIRD_PARTY = frozenset({Origin.RENTED_FILE, Origin.REFERRAL})


class ConsentArgs(Frozen):
    regime: Literal["cnil-2006", "cnil-2012"]
    reminder_origins: tuple[Origin, ...] = tuple(sorted(_THIRD_PARTY))
    """Origins whose repeated consent request fails here as a reminder (cnil-2012). Leave out an
    origin whose message count another rule judges (referral.single_message), so that one fact
    gets one verdict."""


def may_be_texted(ctx: Context, args: ConsentArgs) -> Outcome:
    recipient = ctx.case.recipient
    if recipient.origin in FORBIDDEN_ORIGINS:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Le numéro provient d'un fichier interdit ({label(recipient.origin).fr}).",
                en=f"The number comes from a forbidden file ({label(recipient.origin).en}).",
            ),
        )
    if args.regime == "cnil-2006":
        return _cnil_2006(recipient)
    return _cnil_2012(recipient, ctx.case.message.purpose, args.reminder_origins)


def _has_political_consent(recipient: Recipient) -> bool:
    return recipient.consent is not None and recipient.consent.scope.political


def _cnil_2006(recipient: Recipient) -> Outcome:
    if recipient.relationship in (Relationship.MEMBER, Relationship.REGULAR_CONTACT):
        return passed(_relationship_reason(recipient))
    if _has_political_consent(recipient):
        return passed(_consent_reason())
    if recipient.origin is Origin.RENTED_FILE:
        told = recipient.consent is not None and recipient.consent.told_political_use
        if told:
            return passed(
                Text(
                    fr="Fichier loué : les personnes ont été prévenues d'un usage politique.",
                    en="Rented file: people were told of political use at collection.",
                )
            )
        return Outcome(
            Status.FAIL,
            Text(
                fr="Fichier loué sans preuve que les personnes aient été prévenues d'un usage politique.",
                en="Rented file with no proof that people were told of political use.",
            ),
        )
    if recipient.origin is Origin.UNKNOWN:
        return Outcome(
            Status.REVIEW,
            Text(
                fr="Origine du numéro inconnue : impossible de dire si l'envoi était permis.",
                en="Unknown origin of the number: cannot tell whether texting was allowed.",
            ),
        )
    return Outcome(
        Status.REVIEW if recipient.relationship is Relationship.FORMER_MEMBER else Status.FAIL,
        Text(
            fr=f"Ni adhérent ni contact régulier, sans consentement (origine : {label(recipient.origin).fr}).",
            en=f"Neither member nor regular contact, and no consent (origin: {label(recipient.origin).en}).",
        ),
    )


def _cnil_2012(
    recipient: Recipient, purpose: Purpose, reminder_origins: tuple[Origin, ...]
) -> Outcome:
    if recipient.relationship in _CLOSE:
        return passed(_relationship_reason(recipient))
    if _has_political_consent(recipient):
        return passed(_consent_reason())
    if recipient.origin in _THIRD_PARTY and purpose is Purpose.CONSENT_REQUEST:
        if recipient.history and recipient.origin in reminder_origins:
            return Outcome(
                Status.FAIL,
                Text(
                    fr="Un seul message de demande de consentement est permis ; celui-ci est un rappel.",
                    en="Only one consent request is allowed; this one is a reminder.",
                ),
            )
        if recipient.history:
            return passed(
                Text(
                    fr="Message qui demande le consentement ; le nombre de messages relève d'une "
                    "autre règle.",
                    en="A message asking for consent; the number of messages is another rule's "
                    "matter.",
                )
            )
        return passed(
            Text(
                fr="Premier message, qui demande le consentement.",
                en="First message, asking for consent.",
            )
        )
    if recipient.origin in _THIRD_PARTY:
        reason = Text(
            fr="Numéro acheté, loué ou recommandé : seul un premier message demandant le "
            "consentement est permis, pas de contenu de campagne.",
            en="Bought, rented or referred number: only a first message asking for consent "
            "is allowed, no campaign content.",
        )
    elif recipient.origin is Origin.UNKNOWN:
        return Outcome(
            Status.REVIEW,
            Text(
                fr="Origine du numéro inconnue et aucun consentement enregistré.",
                en="Unknown origin of the number and no recorded consent.",
            ),
        )
    elif recipient.relationship is Relationship.OPTED_IN:
        # The campaign must be able to prove the consent it relies on (GDPR art. 7(1)).
        reason = Text(
            fr="Destinataire indiqué comme ayant consenti, mais aucun consentement politique n'est "
            "enregistré (recipient.consent).",
            en="Recipient marked as opted in, but no political consent is recorded "
            "(recipient.consent).",
        )
    else:
        reason = Text(
            fr=f"Prospect sans consentement préalable enregistré (origine : {label(recipient.origin).fr}).",
            en=f"Prospect with no recorded prior consent (origin: {label(recipient.origin).en}).",
        )
    return Outcome(Status.FAIL, reason)


def _relationship_reason(recipient: Recipient) -> Text:
    return Text(
        fr=f"Destinataire lié à l'émetteur ({label(recipient.relationship).fr}).",
        en=f"Recipient tied to the sender ({label(recipient.relationship).en}).",
    )


def _consent_reason() -> Text:
    return Text(
        fr="Consentement préalable aux messages politiques enregistré.",
        en="Recorded prior consent to political messages.",
    )


CHECKS = {
    "consent.may_be_texted": NamedCheck(may_be_texted, ConsentArgs, Scope.RECIPIENT),
}
