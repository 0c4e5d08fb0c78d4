"""The validation floor: what any Python checker pays to read the same lines.

A plain Pydantic model of a recipient line's fields (no number normalisation, no merge
filling, no rule): validating every line of the file with it is the cost below which no
checker written on Pydantic can go. It is independent of smscheck's own models on purpose.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Relationship = Literal["member", "former_member", "regular_contact", "opted_in", "prospect"]
Origin = Literal[
    "collected_directly",
    "party_member_file",
    "federation_file",
    "rented_file",
    "referral",
    "public_body_file",
    "company_file",
    "other_purpose_file",
    "primary_voters_list",
    "unknown",
]


class Plain(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FloorConsent(Plain):
    given_on: date
    scope: Literal["political_sms", "political_any_channel", "newsletter", "commercial", "other"]
    collected_by: str
    told_political_use: bool


class FloorPast(Plain):
    sent_at: datetime
    channel: Literal["sms", "email", "phone", "post"] = "sms"
    purpose: Literal["campaign", "consent_request"] = "campaign"


class FloorLine(Plain):
    number: str
    relationship: Relationship = "prospect"
    origin: Origin = "unknown"
    consent: FloorConsent | None = None
    opted_out: bool = False
    referrer: str | None = None
    kept_informed: bool = False
    history: list[FloorPast] = []
    merge: dict[str, str] = {}


def validate_file(path: str) -> tuple[int, int, float]:
    """(recipient lines, lines refused, seconds) for validating every line of a JSON Lines file."""
    lines = refused = 0
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for raw in handle:
            if b'"template"' in raw:
                json.loads(raw)
                continue
            lines += 1
            try:
                FloorLine.model_validate_json(raw)
            except ValidationError:
                refused += 1
    return lines, refused, time.perf_counter() - started
