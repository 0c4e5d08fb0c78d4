"""Input values as messages name them, in French and in English."""

from __future__ import annotations

from collections.abc import Mapping

from smscheck.models import Origin, Relationship
from smscheck.outcome import Text

_ORIGINS: Mapping[Origin, Text] = {
    Origin.COLLECTED_DIRECTLY: Text(fr="recueilli par l'émetteur", en="collected by the sender"),
    Origin.PARTY_MEMBER_FILE: Text(fr="fichier des adhérents", en="party member file"),
    Origin.FEDERATION_FILE: Text(fr="fichier de la fédération", en="federation file"),
    Origin.RENTED_FILE: Text(fr="fichier loué ou acheté", en="rented or bought file"),
    Origin.REFERRAL: Text(fr="parrainage", en="referral"),
    Origin.PUBLIC_BODY_FILE: Text(
        fr="fichier d'un organisme public ou d'une collectivité", en="public body file"
    ),
    Origin.COMPANY_FILE: Text(fr="fichier d'entreprise", en="company file"),
    Origin.OTHER_PURPOSE_FILE: Text(
        fr="fichier constitué à d'autres fins", en="file collected for another purpose"
    ),
    Origin.PRIMARY_VOTERS_LIST: Text(
        fr="liste des électeurs d'une primaire", en="primary voters list"
    ),
    Origin.UNKNOWN: Text(fr="inconnue", en="unknown"),
}

_RELATIONSHIPS: Mapping[Relationship, Text] = {
    Relationship.MEMBER: Text(fr="adhérent", en="member"),
    Relationship.FORMER_MEMBER: Text(fr="ancien adhérent", en="former member"),
    Relationship.REGULAR_CONTACT: Text(fr="contact régulier", en="regular contact"),
    Relationship.OPTED_IN: Text(fr="a consenti", en="opted in"),
    Relationship.PROSPECT: Text(fr="prospect", en="prospect"),
}


def label(value: Origin | Relationship) -> Text:
    """How messages name an origin or a relationship."""
    return _ORIGINS[value] if isinstance(value, Origin) else _RELATIONSHIPS[value]
