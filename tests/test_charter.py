"""Primary charters as data: the model, the audience mapping, each check, user charters by path."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smscheck import Checker
from smscheck.charter import Audience, Charter, audience_of
from smscheck.cli import main
from smscheck.inputs import case_from
from smscheck.models import Case, Channel, Recipient
from smscheck.packs import PackError, load_pack, shipped_packs
from smscheck.verdicts import Concern, Confidence, Report, Status
from tests.conftest import ROOT, load_seed

USER_CHARTER = ROOT / "tests" / "data" / "charters" / "haute-autorite.toml"
FRANCE3 = "france3-regions.francetvinfo.fr/paris-ile-de-france/2013/05/07/"
CASE_B = "2013-nkm-primaire-paris.json"
CSP_EMAIL = "2013-nkm-primaire-paris-csp-email.json"


def paris_2013() -> Charter:
    pack = next(pack for pack in shipped_packs() if pack.charter == "ump-paris-2013")
    assert pack.charter_data is not None
    return pack.charter_data


def seed_case(name: str, **changes: Any) -> dict[str, Any]:
    """The case of a seed as a plain dict, with `section.field` changes applied."""
    case: dict[str, Any] = copy.deepcopy(load_seed(name)["case"])
    for dotted, value in changes.items():
        section, field = dotted.split("__")
        if value is None:
            case[section].pop(field, None)
        else:
            case[section][field] = value
    return case


def check(case: dict[str, Any], *extra: Path) -> Report:
    return Checker(extra=list(extra)).check(Case.model_validate(case))


def dispatches(count: int, audience: str, channel: str, relayed_by: str) -> list[dict[str, str]]:
    return [
        {
            "audience": audience,
            "channel": channel,
            "sent_at": f"2013-04-{10 + day:02d}T10:00:00+02:00",
            "relayed_by": relayed_by,
        }
        for day in range(count)
    ]


# The shipped 2013 Paris charter


def test_the_2013_paris_charter_is_shipped_as_data() -> None:
    charter = paris_2013()
    assert charter.organiser.name == "Conseil supérieur des primaires (CSP)"
    assert charter.organiser.relays("csp") and charter.organiser.relays(
        " Conseil  supérieur des primaires "
    )
    members = charter.clause_for(Audience.MEMBERS, Channel.EMAIL)
    voters = charter.clause_for(Audience.REGISTERED_VOTERS, Channel.EMAIL)
    assert members is not None and members.quota == 3 and members.starts == "candidacies_close"
    assert voters is not None and voters.quota == 3 and voters.relayed
    assert charter.clause_for(Audience.MEMBERS, Channel.SMS) is None
    assert charter.off_limits is not None
    assert {origin.value for origin in charter.off_limits.origins} == {
        "federation_file",
        "party_member_file",
    }
    assert str(charter.dates.voting_opens) == "2013-05-31"
    assert str(charter.dates.voting_closes) == "2013-06-03"


def test_the_2013_pack_is_in_force_for_that_primary_only() -> None:
    pack = next(pack for pack in shipped_packs() if pack.id == "charter-paris-2013")
    assert {str(rule.valid_from) for rule in pack.rules} == {"2013-03-14"}
    assert {str(rule.valid_until) for rule in pack.rules} == {"2013-06-03"}


@pytest.mark.parametrize(
    ("recipient", "audience"),
    [
        ({"origin": "primary_voters_list"}, Audience.REGISTERED_VOTERS),
        ({"origin": "primary_voters_list", "relationship": "member"}, Audience.REGISTERED_VOTERS),
        ({"relationship": "member"}, Audience.MEMBERS),
        ({"relationship": "former_member", "origin": "collected_directly"}, Audience.MEMBERS),
        ({"origin": "federation_file"}, Audience.MEMBERS),
        ({"origin": "party_member_file", "relationship": "prospect"}, Audience.MEMBERS),
        ({"relationship": "regular_contact"}, Audience.PUBLIC),
        ({"origin": "rented_file"}, Audience.PUBLIC),
        ({}, Audience.PUBLIC),
    ],
)
def test_how_a_recipient_maps_to_an_audience(recipient: dict[str, str], audience: Audience) -> None:
    assert (
        audience_of(Recipient.model_validate({"number": "+33612345678", **recipient})) is audience
    )


def test_case_b_off_limits_file_fails_and_the_unmentioned_sms_channel_is_for_review() -> None:
    report = check(load_seed(CASE_B)["case"])
    assert report.status is Status.FAIL
    files = report.verdict("PAR13-FILES-01")
    assert files.status is Status.FAIL
    assert "pas d'accès direct aux fichiers" in files.message
    channel = report.verdict("PAR13-CHAN-01")
    assert channel.status is Status.REVIEW
    # Says the charter is silent on SMS, and names the nearest clause: e-mails to members.
    assert "ne dit rien de l'envoi par SMS aux adhérents" in channel.message
    assert "3 courriels aux adhérents" in channel.message
    assert report.by_concern()[Concern.OPT_OUT] is Status.FAIL


def test_case_b_in_english_names_the_clause_too() -> None:
    report = Checker(lang="en").check(Case.model_validate(load_seed(CASE_B)["case"]))
    message = report.verdict("PAR13-CHAN-01").message
    assert "says nothing about sending by SMS to party members" in message
    assert "closest clause is about sending by e-mail to party members" in message


def test_every_charter_verdict_cites_the_charter() -> None:
    for name in (CASE_B, CSP_EMAIL):
        report = check(load_seed(name)["case"])
        charter_verdicts = [v for v in report.verdicts if v.rule_id.startswith("PAR13-")]
        assert len(charter_verdicts) == 5
        for verdict in charter_verdicts:
            assert FRANCE3 in verdict.citation.link
            assert verdict.citation.title.startswith("Charte de la primaire ouverte de l'UMP")
            assert str(verdict.citation.date) == "2013-03-14"
            assert verdict.citation.confidence is Confidence.SUMMARY
            assert verdict.citation.article


def test_the_compliant_variant_passes_every_charter_rule() -> None:
    report = check(load_seed(CSP_EMAIL)["case"])
    assert {v.rule_id: v.status for v in report.verdicts if v.concern.value == "charter"} == {
        "CNILPRIM-CHARTER-01": Status.PASS,
        "PAR13-CHAN-01": Status.PASS,
        "PAR13-QUOTA-01": Status.PASS,
        "PAR13-RELAY-01": Status.PASS,
        "PAR13-FILES-01": Status.PASS,
        "PAR13-START-01": Status.PASS,
    }


@pytest.mark.parametrize(
    ("already_sent", "status"),
    [(0, Status.PASS), (2, Status.PASS), (3, Status.FAIL), (4, Status.FAIL)],
)
def test_quota_of_three_emails_to_members(already_sent: int, status: Status) -> None:
    """The 3rd e-mail (2 already sent) is allowed, the 4th (3 already sent) fails."""
    case = seed_case(CSP_EMAIL)
    case["campaign"]["history"] = dispatches(already_sent, "members", "email", "CSP")
    verdict = check(case).verdict("PAR13-QUOTA-01")
    assert verdict.status is status
    assert f"n° {already_sent + 1}" in verdict.message


@pytest.mark.parametrize(
    ("send_at", "status"),
    [
        ("2013-04-01T20:00:00+02:00", Status.FAIL),
        ("2013-04-02T09:00:00+02:00", Status.PASS),
        # 23:30 UTC on 1 April is already 2 April in Paris: the local day counts.
        ("2013-04-01T23:30:00+00:00", Status.PASS),
    ],
)
def test_emails_to_members_only_from_the_close_of_candidacies(send_at: str, status: Status) -> None:
    verdict = check(seed_case(CSP_EMAIL, message__send_at=send_at)).verdict("PAR13-START-01")
    assert verdict.status is status
    assert "clôture des candidatures (2013-04-02)" in verdict.message


def test_quota_counts_only_the_same_audience_and_channel() -> None:
    case = seed_case(CSP_EMAIL)
    case["campaign"]["history"] = dispatches(3, "registered_voters", "email", "CSP") + dispatches(
        3, "members", "sms", "CSP"
    )
    assert check(case).verdict("PAR13-QUOTA-01").status is Status.PASS


def test_a_message_outside_the_primary_dates_is_not_judged_by_the_charter() -> None:
    case = seed_case(CASE_B, message__send_at="2013-06-10T18:00:00+02:00")
    assert not [v for v in check(case).verdicts if v.rule_id.startswith("PAR13-")]


def test_charter_rules_apply_only_to_campaigns_naming_that_charter() -> None:
    unnamed = seed_case(CASE_B)
    del unnamed["campaign"]["charter"]
    charter_verdicts = [v for v in check(unnamed).verdicts if v.concern.value == "charter"]
    # A primary without its charter is not a silent pass: only the review that says so.
    assert [(v.rule_id, v.status) for v in charter_verdicts] == [
        ("CNILPRIM-CHARTER-01", Status.REVIEW)
    ]
    other = seed_case(CASE_B)
    other["campaign"]["charter"] = "primaire-exemple-2026"
    assert not [v for v in check(other, USER_CHARTER).verdicts if v.rule_id.startswith("PAR13-")]


# The CNIL rule on reusing a primary's voter list


def test_voter_list_used_within_the_primary_passes_and_reused_after_it_fails() -> None:
    within = check(load_seed("2013-nkm-primaire-paris-registered-voter.json")["case"])
    assert within.verdict("CNILPRIM-REUSE-01").status is Status.PASS
    reused = check(load_seed("2013-nkm-primaire-paris-list-reused-2014.json")["case"])
    verdict = reused.verdict("CNILPRIM-REUSE-01")
    assert verdict.status is Status.FAIL
    assert "cnil.fr/fr/les-fichiers-constitues-dans-le-cadre-des-primaires" in verdict.citation.link
    kept = check(load_seed("2013-nkm-primaire-paris-list-kept-informed-2014.json")["case"])
    assert kept.verdict("CNILPRIM-REUSE-01").status is Status.PASS


def test_a_primary_campaign_after_its_vote_is_reuse_even_without_a_charter() -> None:
    case = seed_case(
        "2013-nkm-primaire-paris-registered-voter.json",
        message__send_at="2013-06-20T10:00:00+02:00",
    )
    del case["campaign"]["charter"]
    assert check(case).verdict("CNILPRIM-REUSE-01").status is Status.FAIL


# A user's own charter, loaded by path


def user_case(**message: Any) -> dict[str, Any]:
    return {
        "message": {
            "sender": "Camille2026",
            "body": "Camille Exemple, candidate à la primaire : votez les 7 et 8 février. STOP au 36111",
            "send_at": "2026-01-20T18:00:00+01:00",
            "relayed_by": "Haute autorité",
            **message,
        },
        "recipient": {
            "number": "+33612345678",
            "relationship": "member",
            "origin": "party_member_file",
        },
        "campaign": {
            "sender_kind": "candidate",
            "names": ["Camille Exemple"],
            "election": {"kind": "primary", "rounds": [{"polling_date": "2026-02-08"}]},
            "charter": "primaire-exemple-2026",
        },
    }


def test_a_user_charter_loads_by_path_and_its_verdicts_cite_it() -> None:
    report = check(user_case(), USER_CHARTER)
    charter_verdicts = [v for v in report.verdicts if v.concern.value == "charter"]
    assert {v.rule_id for v in charter_verdicts} == {
        "CNILPRIM-CHARTER-01",
        "EXH-CHAN-01",
        "EXH-QUOTA-01",
        "EXH-RELAY-01",
        "EXH-FILES-01",
        "EXH-START-01",
    }
    for verdict in charter_verdicts:
        if verdict.rule_id.startswith("EXH-"):
            assert verdict.citation.link == "https://example.org/primaire-exemple/charte.pdf"
        assert verdict.status in (Status.PASS, Status.NOT_APPLICABLE), verdict.message
    assert "art. 7" in report.verdict("EXH-CHAN-01").message
    assert not [v for v in report.verdicts if v.rule_id.startswith("PAR13-")]


@pytest.mark.parametrize(
    ("already_sent", "status"), [(0, Status.PASS), (1, Status.PASS), (2, Status.FAIL)]
)
def test_user_charter_quota_of_two_sms(already_sent: int, status: Status) -> None:
    case = user_case()
    case["campaign"]["history"] = [
        {"audience": "members", "channel": "sms", "sent_at": f"2026-01-1{day}T18:00:00+01:00"}
        for day in range(already_sent)
    ]
    assert check(case, USER_CHARTER).verdict("EXH-QUOTA-01").status is status


def test_user_charter_forbids_phone_and_requires_its_relay() -> None:
    phone = check(user_case(channel="phone"), USER_CHARTER)
    assert phone.verdict("EXH-CHAN-01").status is Status.FAIL
    assert "art. 9" in phone.verdict("EXH-CHAN-01").message
    assert phone.verdict("EXH-QUOTA-01").status is Status.NOT_APPLICABLE
    direct = check(user_case(relayed_by=None), USER_CHARTER)
    assert direct.verdict("EXH-RELAY-01").status is Status.FAIL
    assert "Haute autorité de la primaire" in direct.verdict("EXH-RELAY-01").message
    # Without the organiser, a member file is off limits to the candidate.
    assert direct.verdict("EXH-FILES-01").status is Status.FAIL
    other = check(user_case(relayed_by="Fédération départementale"), USER_CHARTER)
    assert "Fédération départementale" in other.verdict("EXH-RELAY-01").message


def test_user_charter_silence_is_review_with_the_closest_clause() -> None:
    post = check(user_case(channel="post"), USER_CHARTER).verdict("EXH-CHAN-01")
    assert post.status is Status.REVIEW
    assert "art. 7" in post.message  # post to members: nearest is SMS to members
    case = user_case()
    case["recipient"] = {"number": "+33612345678", "relationship": "regular_contact"}
    public = check(case, USER_CHARTER).verdict("EXH-CHAN-01")
    assert public.status is Status.REVIEW
    assert "public" in public.message


def test_a_clause_can_waive_the_organisers_general_relay_rule() -> None:
    case = user_case(channel="email", relayed_by=None)
    case["recipient"] = {"number": "+33612345678", "origin": "primary_voters_list"}
    verdict = check(case, USER_CHARTER).verdict("EXH-RELAY-01")
    assert verdict.status is Status.NOT_APPLICABLE
    assert "art. 6" in verdict.message


def test_a_charter_check_outside_a_charter_pack_asks_for_review(tmp_path: Path) -> None:
    text = USER_CHARTER.read_text(encoding="utf-8")
    head, _, rest = text.partition("[charter]\n")
    plain = (
        head.replace('charter = "primaire-exemple-2026"\n', "") + rest[rest.index("[[rules]]") :]
    )
    path = tmp_path / "plain.toml"
    path.write_text(plain, encoding="utf-8")
    for charter, said in ((None, "ne nomme pas de charte"), ("inconnue", "« inconnue »")):
        case = user_case()
        case["campaign"]["charter"] = charter
        verdict = check(case, path).verdict("EXH-CHAN-01")
        assert verdict.status is Status.REVIEW
        assert said in verdict.message


def test_user_charter_start_date() -> None:
    case = user_case(channel="email", send_at="2026-01-10T18:00:00+01:00")
    case["recipient"] = {"number": "+33612345678", "origin": "primary_voters_list"}
    assert check(case, USER_CHARTER).verdict("EXH-START-01").status is Status.FAIL
    case["message"]["send_at"] = "2026-01-15T09:00:00+01:00"
    assert check(case, USER_CHARTER).verdict("EXH-START-01").status is Status.PASS


def test_a_charter_stricter_than_the_cnil_forbids_reuse_even_for_kept_informed() -> None:
    case = user_case(send_at="2026-03-10T18:00:00+01:00", relayed_by=None)
    case["recipient"] = {
        "number": "+33612345678",
        "origin": "primary_voters_list",
        "kept_informed": True,
    }
    case["campaign"]["election"] = {"kind": "municipal", "rounds": [{"polling_date": "2026-03-15"}]}
    verdict = check(case, USER_CHARTER).verdict("CNILPRIM-REUSE-01")
    assert verdict.status is Status.FAIL
    assert "art. 12" in verdict.message


def test_user_charter_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(user_case(channel="phone")), encoding="utf-8")
    assert main(["check", "--pack", str(USER_CHARTER), str(case_file), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    verdicts = {verdict["rule_id"]: verdict for verdict in report["verdicts"]}
    assert verdicts["EXH-CHAN-01"]["status"] == "fail"
    assert verdicts["EXH-CHAN-01"]["citation"]["title"].startswith(
        "Charte de la primaire de l'exemple"
    )
    assert {"name": "charte-primaire-exemple", "version": "0.1.0"} in report["packs"]


def test_user_charter_through_the_installed_command(tmp_path: Path) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(user_case()), encoding="utf-8")
    command = Path(sys.executable).with_name("smscheck")
    done = subprocess.run(
        [str(command), "check", "--pack", str(USER_CHARTER), str(case_file), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    statuses = {v["rule_id"]: v["status"] for v in report["verdicts"]}
    assert statuses["EXH-CHAN-01"] == "pass"
    assert statuses["EXH-QUOTA-01"] == "pass"


# Malformed charters fail at load, naming the file and the key


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("quota = 2", "quota = -1", "charter.audiences.members.sms.quota"),
        (
            'from = "candidacies_close"',
            'from = "whenever"',
            "charter.audiences.registered_voters.email.from",
        ),
        (
            "candidacies_close = 2026-01-15\n",
            "",
            "charter.audiences.registered_voters.email.from",
        ),
        (
            'allowed = false\nclause = "art. 9 : aucun démarchage téléphonique"\n\n[charter.audiences.registered_voters.phone]',
            'allowed = false\nquota = 1\nclause = "art. 9 : aucun démarchage téléphonique"\n\n[charter.audiences.registered_voters.phone]',
            "charter.audiences.members.phone.quota",
        ),
        (
            'origins = ["party_member_file", "federation_file"]',
            'origins = ["the_drawer"]',
            "charter.off_limits.origins[0]",
        ),
        (
            "relay_required = true",
            "relay_required = true, relais = true",
            "charter.organiser.relais",
        ),
        ("voting_closes = 2026-02-08", "voting_closes = 2026-02-01", "charter.dates.voting_closes"),
        (
            "[charter.audiences.members.sms]",
            "[charter.audiences.adherents.sms]",
            "charter.audiences.adherents",
        ),
        (
            "[charter.audiences.members.sms]",
            "[charter.audiences.members.pigeon]",
            "charter.audiences.members.pigeon",
        ),
        (
            'clause = "art. 7 : deux SMS aux adhérents, envoyés par la Haute autorité"\n',
            "",
            "charter.audiences.members.sms.clause",
        ),
        ('charter = "primaire-exemple-2026"\n', "", "pack.charter"),
        (
            'voter_lists = { reuse = "never"',
            'voter_lists = { reuse = "always"',
            "charter.voter_lists.reuse",
        ),
    ],
)
def test_a_malformed_charter_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    text = USER_CHARTER.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "charte.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.path == str(path)
    assert caught.value.key.startswith(key), caught.value
    assert str(caught.value).startswith(f"{path}: {caught.value.key}")


def test_a_charter_id_without_a_charter_table_is_an_error(tmp_path: Path) -> None:
    text = USER_CHARTER.read_text(encoding="utf-8")
    head, _, rest = text.partition("[charter]\n")
    rules = rest[rest.index("[[rules]]") :]
    path = tmp_path / "charte.toml"
    path.write_text(head + rules, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.key == "charter"


def test_a_malformed_charter_through_the_command_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "charte.toml"
    path.write_text(
        USER_CHARTER.read_text(encoding="utf-8").replace("quota = 2", 'quota = "two"'),
        encoding="utf-8",
    )
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(user_case()), encoding="utf-8")
    assert main(["check", "--pack", str(path), str(case_file)]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "charter.audiences.members.sms.quota" in error


def test_seeds_of_case_b_are_read_as_cases() -> None:
    assert case_from(load_seed(CASE_B)).campaign.charter == "ump-paris-2013"
