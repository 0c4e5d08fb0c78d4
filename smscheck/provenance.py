"""Whose data it is: the body a recipient's file and tie belong to, and whether the sender
collected the number from the person itself (GDPR art. 13) or got it elsewhere (art. 14)."""

from __future__ import annotations

from smscheck.models import Case, Controller, Origin, Relationship, SenderKind

# GDPR art. 9(2)(d): members, former members and regular contacts of a political body.
TIES = frozenset({Relationship.MEMBER, Relationship.FORMER_MEMBER, Relationship.REGULAR_CONTACT})

# Origins that say by themselves whose file it is, whoever sends.
_SENDERS_OWN = frozenset({Origin.COLLECTED_DIRECTLY, Origin.REFERRAL})
_OTHER_BODIES = frozenset(
    {Origin.RENTED_FILE, Origin.PUBLIC_BODY_FILE, Origin.COMPANY_FILE, Origin.OTHER_PURPOSE_FILE}
)


def controller(case: Case) -> Controller | None:
    """Whose file and tie this is: as the case says, else as the origin shows, else unknown.

    A party's member file sent by a party is its own; a federation's file or a primary's voter
    list used by a candidate or a committee is another body's. A tie of unknown origin keeps the
    meaning `relationship` had before `controller` existed: a tie to the sender.
    """
    recipient = case.recipient
    if recipient.controller is not None:
        return recipient.controller
    origin, party = recipient.origin, case.campaign.sender_kind is SenderKind.PARTY
    if origin in _SENDERS_OWN or (origin is Origin.PARTY_MEMBER_FILE and party):
        return Controller.SENDER
    if origin in _OTHER_BODIES or (
        origin in (Origin.FEDERATION_FILE, Origin.PRIMARY_VOTERS_LIST) and not party
    ):
        return Controller.OTHER_BODY
    if origin is Origin.UNKNOWN and recipient.relationship in TIES:
        return Controller.SENDER
    return None


def collected_by_sender(case: Case) -> bool | None:
    """True: the sender got the number from the person (its members, its own collection).
    False: from anywhere else, or not known to be the sender's own. None: whose file it is is
    not known (`recipient.controller` decides)."""
    if not case.recipient.from_the_person:  # read alone: the other origins share the verdict
        return False
    owner = controller(case)
    return None if owner is None else owner is Controller.SENDER
