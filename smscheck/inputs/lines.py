"""JSON Lines: one case or seed a line, or a campaign: a line `{"template": {"message": ...,
"campaign": ...}}` followed by recipient lines, each a recipient with optional `merge` fields
that fill the template's `{placeholders}`. Read one line at a time, a bad line never stopping
the rest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from smscheck.inputs.bounds import BOM, MAX_LINE_BYTES, EndlessLine
from smscheck.inputs.document import item_from
from smscheck.inputs.located import InputError, Item, Location, describe_validation, kind_of
from smscheck.inputs.merge import Filler, RecipientLine, template_filler
from smscheck.inputs.printable import printable, printable_validator
from smscheck.inputs.strict import check_line, loads, written_keys
from smscheck.models import Case, Recipient


def is_template_line(raw: bytes) -> bool:
    """Cheap test for a campaign template line; confirmed by parsing."""
    return b'"template"' in raw


_TEMPLATE_START = re.compile(rb'\s*(?:\xef\xbb\xbf)?\s*\{\s*"template"\s*:')


class LineReader:
    """Reads JSON Lines of one file, remembering the campaign template lines set."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.filler: Filler | None = None
        self.template_error: int | None = None

    @staticmethod
    def changes_template(number: int, raw: bytes) -> bool:
        """Whether feeding line `number` sets the template in force or drops it (as `feed`
        does for a template line too long or not JSON): a batch gives each chunk the last such
        line before it, so that its reader starts as one reading the whole file would be."""
        if len(raw) > MAX_LINE_BYTES:
            return _TEMPLATE_START.match(raw) is not None
        if raw.startswith(BOM):
            if number != 1:
                return False
            raw = raw[len(BOM) :]
        if not is_template_line(raw):
            return False
        try:
            document = loads(raw)
        except InputError:
            return _TEMPLATE_START.match(raw) is not None
        return isinstance(document, dict) and set(document) == {"template"}

    def feed(self, number: int, raw: bytes) -> Item | None:
        """The item of line `number` (a template line's is the template itself, to check
        once for all its recipients); None for blank lines."""
        location = Location(self.path, number)
        if len(raw) > MAX_LINE_BYTES:
            if _TEMPLATE_START.match(raw):
                self._drop_template(number)
            return Item(location, error=f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
        if not raw or raw.isspace():
            return None
        if raw.startswith(BOM):
            if number != 1:
                return Item(location, error="a byte order mark in the middle of the file")
            raw = raw[len(BOM) :]
        if is_template_line(raw):
            try:
                document = loads(raw)
            except InputError as exc:
                if _TEMPLATE_START.match(raw):
                    self._drop_template(number)
                return Item(location, error=str(exc))
            if isinstance(document, dict) and set(document) == {"template"}:
                return self._set_template(location, document["template"])
        if self.template_error is not None:
            return Item(
                location, error=f"follows the invalid template of line {self.template_error}"
            )
        if self.filler is not None:
            return _personal(location, raw, self.filler)
        return _line(location, raw)

    def _set_template(self, location: Location, document: object) -> Item:
        try:
            self.filler, self.template_error = template_filler(document, location), None
        except InputError as exc:
            self._drop_template(location.line)
            return Item(location, error=str(exc))
        return self.filler.item()

    def _drop_template(self, number: int | None) -> None:
        self.filler, self.template_error = None, number


def read_lines(path: str, lines: Iterable[bytes], start: int = 1) -> Iterator[Item]:
    """JSON Lines, one item per non-blank line, streaming; a bad line never stops the rest."""
    reader = LineReader(path)
    number = start - 1
    try:
        for number, raw in enumerate(lines, start=start):
            item = reader.feed(number, raw)
            if item is not None:
                yield item
    except EndlessLine as exc:
        yield Item(Location(path, number), error=str(exc))


def _line(location: Location, raw: bytes) -> Item:
    """A line outside any campaign: a whole case (or a seed)."""
    try:
        case = Case.model_validate_json(raw)
    except ValidationError as exc:
        document = _loads_or_none(raw)
        if isinstance(document, dict) and "case" in document:  # a seed
            return item_from(location, document)
        return Item(location, error=_line_error(raw, exc, top_level=True))
    try:
        check_line(raw, case)
    except InputError as exc:
        return Item(location, error=str(exc))
    return Item(location, case=case)


def _personal(location: Location, raw: bytes, filler: Filler) -> Item:
    """A recipient line of a campaign: the template's message, its merge fields filled."""
    known_printable = printable(raw)
    if known_printable:
        read = _read_printable(raw)
        if read is not None:
            return filler.filled(location, *read)
    try:
        line = RecipientLine.model_validate_json(raw)
    except ValidationError as exc:
        return Item(location, error=_line_error(raw, exc, top_level=False))
    try:
        check_line(raw, line, known_printable=known_printable)
    except InputError as exc:
        return Item(location, error=str(exc))
    return filler.recipient(location, line)


_PRINTABLE_LINE = printable_validator(RecipientLine, builds=Recipient)


def _read_printable(raw: bytes) -> tuple[Recipient, dict[str, str]] | None:
    """A printable recipient line (see inputs.printable) read by one validator into its
    recipient and merge fields, as the model reads it; None when the model must read it:
    refused (to say why), near a year bound, or perhaps with a key repeated."""
    try:
        recipient: Recipient = _PRINTABLE_LINE.validate_json(raw)
    except ValidationError:
        return None
    values, given = recipient.__dict__, recipient.__pydantic_fields_set__
    merge: dict[str, str] = values.pop("merge")  # built by RecipientLine's schema
    # `keys_kept` of the line, quicker for knowing its nested fields: a model that gains one
    # would make it count fewer keys than written, and the line be read by the model.
    kept = len(given) + len(merge)
    consent = values["consent"]
    if consent is not None:
        kept += len(consent.__pydantic_fields_set__)
    for past in values["history"]:
        kept += len(past.__pydantic_fields_set__)
    if written_keys(raw) != kept:
        return None
    given.discard("merge")
    return recipient, merge


_CASE_KEYS = frozenset(Case.model_fields) | {"case"}
_RECIPIENT_KEYS = frozenset(RecipientLine.model_fields)


def _loads_or_none(raw: bytes) -> object:
    try:
        return loads(raw)
    except InputError:
        return None


def _line_error(raw: bytes, error: ValidationError, *, top_level: bool) -> str:
    """The error of a line the fast parser refused, as clear as a full parse can make it."""
    try:
        document = loads(raw)
    except InputError as exc:
        return str(exc)
    if not isinstance(document, dict):
        return f"(document): expected a JSON object, found {kind_of(document)}"
    if top_level:
        keys = set(document)
        if "number" in keys and keys <= _RECIPIENT_KEYS and not keys & _CASE_KEYS:
            return (
                "a recipient line before any template line: a line "
                '{"template": {"message": ..., "campaign": ...}} must come first'
            )
    return describe_validation(error)
