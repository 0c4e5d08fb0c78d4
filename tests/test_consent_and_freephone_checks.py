"""Named checks touched by the 2012-to-today packs: consent reminders and the free-phone period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from smscheck.checks.consent import ConsentArgs, may_be_texted
from smscheck.checks.electoral import FreephoneArgs, no_freephone_number
from smscheck.models import (
    Campaign,
    Case,
    Election,
    ElectionKind,
    Message,
    Origin,
    PastMessage,
    Purpose,
    Recipient,
    Round,
    SenderKind,
    Territory,
)
from smscheck.outcome import Context
from smscheck.verdicts import Status

PARIS = timezone(timedelta(hours=1))
FREEPHONE = FreephoneArgs(months_before=6, patterns=(r"0\s?800(\s?\d){6}",))


def _case(
    *,
    origin: Origin = Origin.RENTED_FILE,
    history: int = 0,
    body: str = "Marie Dupont souhaite vous écrire : répondez OUI. STOP au 36111",
    send_at: datetime = datetime(2026, 3, 3, 10, 0, tzinfo=PARIS),
    territory: Territory = Territory.MAINLAND,
    rounds: tuple[Round, ...] = (Round(polling_date=date(2026, 3, 15)),),
) -> Case:
    past = tuple(
        PastMessage(sent_at=send_at - timedelta(days=10 + n), purpose=Purpose.CONSENT_REQUEST)
        for n in range(history)
    )
    return Case(
        message=Message(
            sender="36111", body=body, send_at=send_at, purpose=Purpose.CONSENT_REQUEST
        ),
        recipient=Recipient(number="+33612345678", origin=origin, history=past),
        campaign=Campaign(
            sender_kind=SenderKind.CANDIDATE,
            names=("Marie Dupont",),
            election=Election(kind=ElectionKind.MUNICIPAL, territory=territory, rounds=rounds),
        ),
    )


@pytest.mark.parametrize("origin", [Origin.RENTED_FILE, Origin.REFERRAL])
def test_a_second_consent_request_fails_as_a_reminder_by_default(origin: Origin) -> None:
    outcome = may_be_texted(
        Context(_case(origin=origin, history=1)), ConsentArgs(regime="cnil-2012")
    )
    assert outcome.status is Status.FAIL


def test_an_origin_left_out_of_reminder_origins_leaves_the_count_to_another_rule() -> None:
    args = ConsentArgs(regime="cnil-2012", reminder_origins=(Origin.RENTED_FILE,))
    referred = may_be_texted(Context(_case(origin=Origin.REFERRAL, history=1)), args)
    rented = may_be_texted(Context(_case(origin=Origin.RENTED_FILE, history=1)), args)
    assert referred.status is Status.PASS
    assert rented.status is Status.FAIL


def test_a_first_consent_request_to_a_referred_number_passes() -> None:
    args = ConsentArgs(regime="cnil-2012", reminder_origins=(Origin.RENTED_FILE,))
    outcome = may_be_texted(Context(_case(origin=Origin.REFERRAL)), args)
    assert outcome.status is Status.PASS
    assert outcome.reason is not None and "First message" in outcome.reason.en


def test_free_phone_period_uses_the_constituency_calendar_day() -> None:
    # 31 August 2025 23:30 UTC is already 1 September in Paris: the first day of the ban for a
    # vote in March 2026.
    sent = datetime(2025, 8, 31, 23, 30, tzinfo=UTC)
    case = _case(body="Appelez le 0800 123 456", send_at=sent)
    assert no_freephone_number(Context(case), FREEPHONE).status is Status.FAIL


def test_free_phone_period_follows_the_territory_polling_date() -> None:
    # Mainland votes on Sunday 1 March; Guadeloupe votes on Saturday 28 February, so its ban
    # period starts a month earlier (1 August) and ends on its own polling day.
    rounds = (
        Round(
            polling_date=date(2026, 3, 1), territory_dates={Territory.GUADELOUPE: date(2026, 2, 28)}
        ),
    )
    antilles = timezone(timedelta(hours=-4))
    early = _case(
        body="Appelez le 0800 123 456",
        send_at=datetime(2025, 8, 20, 10, 0, tzinfo=antilles),
        territory=Territory.GUADELOUPE,
        rounds=rounds,
    )
    after = _case(
        body="Appelez le 0800 123 456",
        send_at=datetime(2026, 3, 1, 10, 0, tzinfo=antilles),
        territory=Territory.GUADELOUPE,
        rounds=rounds,
    )
    assert no_freephone_number(Context(early), FREEPHONE).status is Status.FAIL
    assert no_freephone_number(Context(after), FREEPHONE).status is Status.NOT_APPLICABLE


def test_an_opted_in_recipient_without_a_consent_record_fails_saying_so() -> None:
    from smscheck import Checker
    from smscheck.inputs import case_from
    from tests.conftest import load_seed

    document = load_seed("2026-municipales-weekday-compliant.json")["case"]
    document["recipient"].update(relationship="opted_in", origin="collected_directly", consent=None)
    verdict = Checker(lang="en").check(case_from(document)).verdict("CNIL12-CON-01")
    assert verdict.status.value == "fail"
    assert "marked as opted in" in verdict.message and "Prospect" not in verdict.message
