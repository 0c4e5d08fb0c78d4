"""FMT-LEN-01's remedy names what makes this body long: the characters that force UCS-2 here
(and whether a merge value brought them) and what replacing them saves; else how much to cut."""

from __future__ import annotations

import json
from typing import Any

from smscheck import Checker, Verdict
from smscheck.inputs import read_lines

TEMPLATE: dict[str, Any] = {
    "message": {
        "sender": "LYONAVENIR",
        "send_at": "2026-03-03T10:00:00+01:00",
        "body": "",
    },
    "campaign": {
        "sender_kind": "candidate",
        "names": ["Marie Dupont", "Lyon Avenir"],
        "election": {"kind": "municipal", "rounds": [{"polling_date": "2026-03-15"}]},
        "info_notice_url": "https://exemple.fr/donnees",
    },
}
TAIL = (
    " Lyon Avenir : dimanche 15 mars, votez Marie Dupont pour une ville plus verte, plus sure et "
    "plus solidaire. Vos coordonnees proviennent de notre fichier d'adherents. Infos et droits : "
    "https://exemple.fr/donnees STOP au 36111"
)


def verdict(body: str, prenom: str, lang: str = "fr") -> Verdict:
    template = {**TEMPLATE, "message": {**TEMPLATE["message"], "body": body}}
    recipient = {
        "number": "+33612345601",
        "relationship": "member",
        "origin": "party_member_file",
        "merge": {"prenom": prenom},
    }
    lines = [json.dumps({"template": template}).encode(), json.dumps(recipient).encode()]
    _, item = read_lines("campaign.jsonl", lines)  # the template, then its recipient
    assert item.case is not None, item.error
    return Checker(lang=lang).check(item.case).verdict("FMT-LEN-01")  # type: ignore[arg-type]


def test_a_merge_value_forcing_ucs2_is_named_with_its_origin_and_the_saving() -> None:
    found = verdict("Bonjour {prenom}," + TAIL + " " + TAIL, "Zoë")
    assert found.status == "warn"
    assert "« ë » (champ de fusion)" in found.remedy
    assert "« ’ »" not in found.remedy and "insécables" not in found.remedy
    assert "« ë » → « e »" in found.remedy and "ferait passer de" in found.remedy
    assert "fichier des destinataires" in found.remedy


def test_a_character_of_the_template_is_named_without_a_merge_origin() -> None:
    found = verdict("Bonjour {prenom}, château" + TAIL + " " + TAIL, "Paul", lang="en")
    assert found.status == "warn"
    assert "« â »." in found.remedy and "merge field" not in found.remedy
    assert "« â » → « a »" in found.remedy


def test_a_long_gsm7_body_is_told_how_much_to_cut_not_which_characters_to_replace() -> None:
    found = verdict("Bonjour {prenom}," + TAIL + " " + TAIL, "Paul")
    assert found.status == "warn"
    assert "déjà en GSM 7 bits" in found.remedy and "UCS-2" not in found.remedy
