"""Consent and data origin: may this recipient be texted, given where the number came from,
whose member or contact they are, and what consent the campaign can prove?"""

from __future__ import annotations

from typing import Literal

from smscheck.labels import label
from smscheck.models import (
    Case,
    Consent,
    ConsentGivenTo,
    Controller,
    Frozen,
    Origin,
    Purpose,
    Recipient,
    Relationship,
)
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, passed
from smscheck.provenance import TIES, controller
from smscheck.sharing import Fact
from smscheck.text import alnum, shown_sender
from smscheck.verdicts import Status

# The 2006 recommendation names members and regular contacts; former members were not settled.
_TIES_2006 = frozenset({Relationship.MEMBER, Relationship.REGULAR_CONTACT})
# Files the CNIL forbids for political canvassing whatever the message says.
FORBIDDEN_ORIGINS = frozenset(
    {Origin.PUBLIC_BODY_FILE, Origin.COMPANY_FILE, Origin.OTHER_PURPOSE_FILE}
)
# Numbers that did not come from the person or the party: first message may only ask consent.
_THIRD_PARTY = frozenset({Origin.RENTED_FILE, Origin.REFERRAL})

Regime = Literal["cnil-2006", "cnil-2012"]

# Consent must come before the message (the CNIL's "consentement préalable"): a record dated
# after the send day is read as this fact, so that records differing only in their dates share
# the verdict. None: no record.
CONSENT_AFTER_SEND = Fact(
    "consent_after_send",
    lambda message, recipient: (
        None if recipient.consent is None else recipient.consent.given_on > message.send_at.date()
    ),
)


class ConsentArgs(Frozen):
    regime: Regime
    reminder_origins: tuple[Origin, ...] = tuple(sorted(_THIRD_PARTY))
    """Origins whose repeated consent request fails here as a reminder (cnil-2012). Leave out an
    origin whose message count another rule judges (referral.single_message), so that one fact
    gets one verdict."""


def may_be_texted(ctx: Context, args: ConsentArgs) -> Outcome:
    case = ctx.case
    recipient = case.recipient
    if recipient.origin in FORBIDDEN_ORIGINS:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Le numéro provient d'un fichier interdit ({label(recipient.origin).fr}).",
                en=f"The number comes from a forbidden file ({label(recipient.origin).en}).",
            ),
        )
    if recipient.relationship in (_TIES_2006 if args.regime == "cnil-2006" else TIES):
        return _by_tie(case, args.regime)
    consent = _by_consent(case, args.regime)
    if consent is not None:
        return consent
    if args.regime == "cnil-2006":
        return _cnil_2006(recipient)
    return _cnil_2012(recipient, case.message.purpose, args.reminder_origins)


def _by_tie(case: Case, regime: Regime) -> Outcome:
    """A member or contact: of the sender's own organisation (GDPR art. 9(2)(d)), or of another
    body, whose file may not leave it without the person's consent. The consent is read only
    for another body's file: the sender's own members and contacts share one verdict."""
    owner, tie = controller(case), label(case.recipient.relationship)
    if owner is Controller.SENDER:
        return passed(
            Text(
                fr=f"Destinataire lié à l'émetteur lui-même ({tie.fr}).",
                en=f"Recipient tied to the sender itself ({tie.en}).",
            )
        )
    consent = _by_consent(case, regime)
    if consent is not None and (owner is Controller.OTHER_BODY or consent.status is Status.PASS):
        return consent
    if owner is None:
        return Outcome(
            Status.REVIEW,
            Text(
                fr=f"{tie.fr.capitalize()}, mais de qui ? Le fichier ({label(case.recipient.origin).fr}) "
                "peut être celui de l'émetteur ou d'un autre organisme : renseignez "
                "recipient.controller (sender ou other_body).",
                en=f"{tie.en.capitalize()}, but of whom? The file ({label(case.recipient.origin).en}) "
                "may be the sender's own or another body's: fill in recipient.controller "
                "(sender or other_body).",
            ),
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"{tie.fr.capitalize()} d'un autre organisme ({label(case.recipient.origin).fr}) : "
            "ses données ne peuvent servir à cet émetteur sans le consentement de la personne, "
            "qui n'est pas enregistré.",
            en=f"{tie.en.capitalize()} of another body ({label(case.recipient.origin).en}): their "
            "data may not serve this sender without the person's consent, and none is recorded.",
        ),
    )


def _by_consent(case: Case, regime: Regime) -> Outcome | None:
    """The verdict a consent record settles, or None when it settles nothing.

    Campaign content passes only on consent given to this campaign, with a proof reference; a
    broker's or partners' consent allows only the consent request (cnil-2012; under cnil-2006 a
    rented file is judged on what its people were told instead); consent to this campaign dated
    after the day of sending asks for a look. The texts do not quote the record's date: it is in
    the input, and recipients whose consents differ only in their dates then share one verdict
    instead of each running the rule."""
    record = case.recipient.consent
    if record is None or not record.scope.covers(case.message.channel):
        return None
    to = _given_to(record, case.campaign.names)
    if to is ConsentGivenTo.THIS_CAMPAIGN:
        if CONSENT_AFTER_SEND.read(case):
            return Outcome(
                Status.REVIEW,
                Text(
                    fr="Consentement donné à cette campagne, mais daté d'après le jour d'envoi : "
                    "il doit précéder le message ; vérifiez recipient.consent.given_on.",
                    en="Consent given to this campaign, but dated after the day of sending: it "
                    "must come before the message; check recipient.consent.given_on.",
                ),
            )
        if record.proof is None:
            return Outcome(
                Status.REVIEW,
                Text(
                    fr="Consentement donné à cette campagne, sans "
                    "référence de preuve : renseignez recipient.consent.proof (identifiant de la "
                    "réponse ou du formulaire).",
                    en="Consent given to this campaign, with no proof "
                    "reference: fill in recipient.consent.proof (the reply or form id).",
                ),
            )
        return passed(
            Text(
                fr="Consentement donné à cette campagne, preuve "
                "enregistrée (recipient.consent.proof).",
                en="Consent given to this campaign, proof on record (recipient.consent.proof).",
            )
        )
    if regime == "cnil-2006" or case.message.purpose is not Purpose.CAMPAIGN:
        return None
    return _campaign_content_on(to, record)


def _campaign_content_on(to: ConsentGivenTo | None, record: Consent) -> Outcome:
    """Campaign content sent on consent that was not given to this campaign."""
    by = shown_sender(record.collected_by)  # never a full phone number
    if to is None:
        return Outcome(
            Status.REVIEW,
            Text(
                fr=f"Consentement recueilli par {by} : à qui a-t-il été donné ? Renseignez "
                "recipient.consent.given_to.",
                en=f"Consent collected by {by}: to whom was it given? Fill in "
                "recipient.consent.given_to.",
            ),
        )
    if to is ConsentGivenTo.SOMEONE_ELSE:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Le consentement a été donné à un autre ({by}), pas à cette campagne.",
                en=f"Consent was given to someone else ({by}), not to this campaign.",
            ),
        )
    if to is ConsentGivenTo.NAMED_PARTNERS:
        return Outcome(
            Status.REVIEW,
            Text(
                fr=f"Consentement recueilli par {by} pour des partenaires nommés, dont cette "
                "campagne : la CNIL demande tout de même un premier message qui recueille "
                "l'accord pour la communication politique ; vérifiez le formulaire.",
                en=f"Consent collected by {by} for named partners including this campaign: the "
                "CNIL still asks for a first message collecting agreement to political "
                "messages; check the form.",
            ),
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Consentement « partenaires » recueilli par {by} : il ne permet qu'un premier "
            "message qui demande le consentement à cette campagne, pas de contenu de campagne.",
            en=f"'Partner' consent collected by {by}: it allows only a first message asking "
            "consent for this campaign, no campaign content.",
        ),
    )


def _given_to(record: Consent, names: tuple[str, ...]) -> ConsentGivenTo | None:
    """As recorded; else this campaign when one of its names collected it; else unknown."""
    if record.given_to is not None:
        return record.given_to
    by = alnum(record.collected_by)
    return ConsentGivenTo.THIS_CAMPAIGN if any(by == alnum(name) for name in names) else None


def _cnil_2006(recipient: Recipient) -> Outcome:
    if recipient.origin is Origin.RENTED_FILE:
        told = None if recipient.consent is None else recipient.consent.told_political_use
        if told:
            return passed(
                Text(
                    fr="Fichier loué : les personnes ont été prévenues d'un usage politique.",
                    en="Rented file: people were told of political use at collection.",
                )
            )
        if told is None and recipient.consent is not None:
            return Outcome(
                Status.REVIEW,
                Text(
                    fr="Fichier loué : on ne sait pas si les personnes ont été prévenues d'un "
                    "usage politique (recipient.consent.told_political_use).",
                    en="Rented file: whether people were told of political use is not given "
                    "(recipient.consent.told_political_use).",
                ),
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
    if recipient.origin in _THIRD_PARTY and purpose is Purpose.CONSENT_REQUEST:
        if recipient.times_messaged and recipient.origin in reminder_origins:
            return Outcome(
                Status.FAIL,
                Text(
                    fr="Un seul message de demande de consentement est permis ; celui-ci est un rappel.",
                    en="Only one consent request is allowed; this one is a reminder.",
                ),
            )
        if recipient.times_messaged:
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


CHECKS = {
    "consent.may_be_texted": NamedCheck(may_be_texted, ConsentArgs, Scope.RECIPIENT),
}
