"""Campaign files (TOML) for repositories: a campaign and its message templates.

    [campaign]            # as in a case: sender_kind, names, election, charter, providers...
    [message]             # defaults for every template: sender, send_at, channel, purpose...
    [[templates]]         # one table per message: id, body, and any field of [message]
    accept = { "FMT-LEN-01" = "3 parts agreed with the provider" }
    [recipients]          # how to read `--recipients contacts.csv`: columns, delimiter...

Read alone, each template is checked at its `[[templates]]` line; with recipients, each
template is then filled for every recipient row. `smscheck schema --campaign` prints the schema.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from smscheck.acceptance import Reason, RuleId
from smscheck.inputs.bounds import MAX_DOCUMENT_BYTES
from smscheck.inputs.csv_file import CsvOptions, read_rows
from smscheck.inputs.located import InputError, Item, Location, describe_validation
from smscheck.inputs.merge import Filler, Template, TemplateId
from smscheck.inputs.strict import check_strings
from smscheck.models import Campaign, Channel, Frozen, Instant, Message, Purpose

CAMPAIGN_SUFFIXES = (".toml",)
MAX_TEMPLATES = 1000


class MessageFields(Frozen):
    """The fields of a message besides its body; in [message], defaults for every template."""

    sender: str | None = Field(default=None, min_length=1)
    send_at: Instant | None = Field(default=None, description="With its UTC offset.")
    channel: Channel | None = None
    purpose: Purpose | None = None
    relayed_by: str | None = None


class TemplateEntry(MessageFields):
    """One message template: its body, and the message fields that differ from [message]."""

    id: TemplateId
    body: str = Field(description="The text, with {merge} fields filled from each recipient.")
    accept: dict[RuleId, Reason] = Field(
        default_factory=dict,
        description="Findings accepted, rule id to a mandatory reason; a fail of a "
        "high-severity rule on consent, opt-out or timing cannot be accepted.",
    )


class RecipientsOptions(Frozen):
    """How to read the recipients CSV (command-line options override these)."""

    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Recipient field (number, origin, consent.given_on...) or merge field "
        "name, to the header of the column holding it.",
    )
    delimiter: Literal[";", ",", "\t"] | None = Field(default=None, description="Detected.")
    encoding: Literal["utf-8", "utf-8-sig", "cp1252", "latin-1"] | None = Field(
        default=None, description="Detected: UTF-8 (byte order mark or not), else Windows-1252."
    )


class CampaignFile(Frozen):
    """A campaign and its message templates (`smscheck schema --campaign`)."""

    campaign: Campaign
    message: MessageFields = MessageFields()
    templates: tuple[TemplateEntry, ...] = Field(min_length=1, max_length=MAX_TEMPLATES)
    recipients: RecipientsOptions = RecipientsOptions()

    @field_validator("templates")
    @classmethod
    def _ids_differ(cls, templates: tuple[TemplateEntry, ...]) -> tuple[TemplateEntry, ...]:
        ids = [template.id for template in templates]
        repeated = sorted({name for name in ids if ids.count(name) > 1})
        if repeated:
            raise ValueError(f"template id {', '.join(repeated)} is used more than once")
        return templates

    @model_validator(mode="after")
    def _every_template_has_a_sender_and_a_time(self) -> CampaignFile:
        for name in ("sender", "send_at"):
            if getattr(self.message, name) is None:
                missing = [t.id for t in self.templates if getattr(t, name) is None]
                if missing:
                    raise ValueError(
                        f"no {name} for template {', '.join(missing[:5])}: give it there "
                        "or in [message]"
                    )
        return self


_TEMPLATE_HEADER = re.compile(r"\s*\[\[\s*templates\s*\]\]")
_MULTILINE = re.compile(r'"""|\'\'\'')


def read_campaign_file(
    path: str, data: bytes, recipients: str | None = None, csv: CsvOptions | None = None
) -> Iterator[Item]:
    """Each template of the file (at its `[[templates]]` line), each followed, when
    `recipients` names a CSV, by one case per recipient row. `csv` overrides [recipients]."""
    try:
        campaign, lines = _parse(data)
    except InputError as exc:
        yield Item(Location(path), error=str(exc))
        return
    fillers = []
    for index, entry in enumerate(campaign.templates):
        at = Location(path, lines[index] if lines else None)
        try:
            fillers.append(Filler(_template(campaign, entry), at))
        except InputError as exc:
            yield Item(at, error=f"templates[{index + 1}] ({entry.id}): {exc}")
        except ValueError as exc:
            yield Item(at, error=f"templates[{index + 1}] ({entry.id}).body: {exc}")
    if recipients is None:
        yield from (filler.item() for filler in fillers)
        return
    options = csv or CsvOptions()
    chosen = campaign.recipients
    options = CsvOptions(
        columns={**chosen.columns, **options.columns},
        delimiter=options.delimiter or chosen.delimiter,
        encoding=options.encoding or chosen.encoding,
    )
    for rank, filler in enumerate(fillers):
        yield filler.item()
        try:
            for row in read_rows(recipients, options):
                if row.line is not None:
                    yield filler.recipient(row.location, row.line)
                elif rank == 0:  # a bad row is reported once, not once per template
                    yield Item(row.location, error=row.error)
        except InputError as exc:
            if rank == 0:
                yield Item(Location(recipients), error=str(exc))
            return


def _parse(data: bytes) -> tuple[CampaignFile, list[int]]:
    """The campaign file, and the line of each `[[templates]]` header (empty if unsure)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start + 1})") from None
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}") from None
    check_strings(document)
    try:
        campaign = CampaignFile.model_validate(document)
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None
    lines = _template_lines(text)
    return campaign, lines if len(lines) == len(campaign.templates) else []


def _template_lines(text: str) -> list[int]:
    """The line numbers of `[[templates]]` headers outside multi-line strings."""
    found, inside = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if not inside and _TEMPLATE_HEADER.match(line):
            found.append(number)
        if len(_MULTILINE.findall(line)) % 2:
            inside = not inside
    return found


def _template(campaign: CampaignFile, entry: TemplateEntry) -> Template:
    """The template of one entry, its message completed from [message]; InputError naming
    the field."""
    defaults = campaign.message.model_dump(exclude_none=True)
    own = entry.model_dump(exclude_none=True, exclude={"id", "accept"})
    try:
        message = Message.model_validate({**defaults, **own})
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None
    return Template(id=entry.id, message=message, campaign=campaign.campaign, accept=entry.accept)
