"""CSV recipients, as CRM and SMS platforms export them: a header row, then one recipient a row.

Columns map to recipient fields by their header (sensible defaults, `number`, `telephone`,
`phone`, `origine`...; `columns` names others); every column is also a merge field under its
header (lower case, accents and spaces folded: `Prénom` fills `{prenom}`), and the usual names
of a first or last name stand for one another (`first_name` fills `{prenom}`). The delimiter
(`;`, `,` or tab) is detected from the header unless given; the encoding is UTF-8 (with or
without a byte order mark) or, when the bytes are not UTF-8, Windows-1252 if they decode to
text without control characters, unless given. A bad row is an error at its line, the rest is
read. No error quotes a cell.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from smscheck.inputs.bounds import BOM, MAX_DOCUMENT_BYTES
from smscheck.inputs.located import InputError, Location, describe_validation, key_text
from smscheck.inputs.merge import RecipientLine
from smscheck.inputs.strict import check_strings

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
DELIMITERS = (";", ",", "\t")
MAX_COLUMNS = 200

# Recipient fields and the headers that name them by default (folded, see `fold`).
_DEFAULTS: Mapping[str, tuple[str, ...]] = {
    "number": (
        "number",
        "telephone",
        "phone",
        "tel",
        "mobile",
        "portable",
        "numero",
        "numero_de_telephone",
        "phone_number",
        "msisdn",
    ),
    "relationship": ("relationship", "relation"),
    "origin": ("origin", "origine"),
    "controller": ("controller", "responsable", "responsable_du_fichier"),
    "informed_at_collection": ("informed_at_collection", "informe_a_la_collecte"),
    "territory": ("territory", "territoire"),
    "opted_out": ("opted_out", "opt_out", "optout", "stop", "desinscrit"),
    "referrer": ("referrer", "parrain"),
    "kept_informed": ("kept_informed", "tenu_informe"),
    "consent.given_on": ("consent_given_on", "date_consentement"),
    "consent.scope": ("consent_scope", "portee_consentement"),
    "consent.collected_by": ("consent_collected_by", "consentement_recueilli_par"),
    "consent.given_to": ("consent_given_to", "consentement_donne_a"),
    "consent.proof": ("consent_proof", "preuve_consentement"),
    "consent.told_political_use": ("consent_told_political_use", "informe_usage_politique"),
}
FIELDS = tuple(_DEFAULTS)
_BOOLEANS = frozenset(
    {"opted_out", "kept_informed", "informed_at_collection", "consent.told_political_use"}
)
_NUMBER_WORDS = frozenset({"telephone", "phone", "tel", "mobile", "portable", "gsm"})
# Merge field names that stand for one another.
_SAME_MERGE = (
    ("prenom", "first_name", "firstname", "given_name"),
    ("nom", "last_name", "lastname", "surname", "family_name", "nom_de_famille"),
)
_YES_NO = {"oui": "true", "non": "false", "x": "true"}


def fold(header: str) -> str:
    """A header as a merge field name: lower case, accents dropped, spaces and dashes as `_`."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", header).lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return "_".join(text.replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How to read a CSV of recipients; None: detected."""

    columns: Mapping[str, str] = field(default_factory=dict)  # field or merge name -> header
    delimiter: str | None = None
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One recipient row read, or the reason it could not be."""

    location: Location
    line: RecipientLine | None = None
    error: str | None = None


def read_rows(path: str, options: CsvOptions) -> Iterator[Row]:
    """The rows of a CSV file; InputError if the file as a whole cannot be read."""
    text = _decode(_bytes(path), options.encoding)
    if "\x00" in text:
        raise InputError("a NUL character: not a text file")
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise InputError("no header row (the first line names the columns)")
    delimiter = options.delimiter or _delimiter(lines[0])
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header = next(reader)
    columns = _columns(header, options.columns)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(Location(path, start), error=f"not CSV: {exc}")
            start = reader.line_num + 1
            continue
        location, start = Location(path, start), reader.line_num + 1
        if cells and any(cell.strip() for cell in cells):
            yield _row(location, cells, header, columns)


def _bytes(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    return data


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(f"not {encoding} text (byte {exc.start + 1})") from None
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc.start + 1
    try:  # a spreadsheet's "CSV" export on Windows; refused if it decodes to control characters
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and all(char.isprintable() or char in "\t\r\n" for char in text):
        return text
    raise InputError(
        f"not UTF-8 text (byte {utf8_error}) nor Windows-1252: give the encoding "
        f"({', '.join(ENCODINGS)})"
    )


def _delimiter(header: str) -> str:
    """The delimiter the header uses most (`;` in French exports, where `,` is the decimal)."""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _columns(header: list[str], chosen: Mapping[str, str]) -> dict[str, int]:
    """Recipient field (or merge name) -> column index; InputError naming what is missing."""
    if len(header) > MAX_COLUMNS:
        raise InputError(f"{len(header)} columns, more than {MAX_COLUMNS}")
    folded = [fold(name) for name in header]
    repeated = sorted({name for name in folded if name and folded.count(name) > 1})
    if repeated:
        listed = ", ".join(key_text(name) for name in repeated)
        raise InputError(f"header: the column {listed} appears more than once")
    found: dict[str, int] = {}
    for name, wanted in chosen.items():
        if fold(wanted) not in folded:
            raise InputError(f"columns: no column {key_text(wanted)!r} in the header (for {name})")
        found[name] = folded.index(fold(wanted))
    taken = set(found.values())
    for name, defaults in _DEFAULTS.items():
        if name in found:
            continue
        for default in defaults:
            if default in folded and folded.index(default) not in taken:
                found[name] = folded.index(default)
                taken.add(found[name])
                break
    if "number" not in found:  # e.g. "Téléphone mobile", "Numéro de portable": if only one
        words = [i for i, name in enumerate(folded) if set(name.split("_")) & _NUMBER_WORDS]
        if len(words) == 1 and words[0] not in taken:
            found["number"] = words[0]
    if "number" not in found:
        raise InputError(
            "header: no column for the recipient's number: name it "
            f"{', '.join(_DEFAULTS['number'][:4])}..., or map it (columns: number=HEADER)"
        )
    return found


def _row(location: Location, cells: list[str], header: list[str], columns: dict[str, int]) -> Row:
    if len(cells) > len(header):
        return Row(location, error=f"{len(cells)} cells for {len(header)} columns")
    cells = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
    document: dict[str, object] = {}
    consent: dict[str, str] = {}
    for name, index in columns.items():
        value = cells[index]
        if not value or name not in _DEFAULTS:
            continue
        if name in _BOOLEANS:
            value = _YES_NO.get(value.lower(), value)
        if name.startswith("consent."):
            consent[name.removeprefix("consent.")] = value
        else:
            document[name] = value
    if consent:
        document["consent"] = consent
    merge = {fold(name): cell for name, cell in zip(header, cells, strict=True) if fold(name)}
    merge.update({name: cells[index] for name, index in columns.items() if name not in FIELDS})
    for names in _SAME_MERGE:
        given = next((merge[name] for name in names if merge.get(name)), None)
        if given is not None:
            merge.update({name: given for name in names if not merge.get(name)})
    document["merge"] = merge
    try:
        check_strings(document)
        return Row(location, line=RecipientLine.model_validate(document))
    except InputError as exc:
        return Row(location, error=_named(str(exc), header, columns))
    except ValidationError as exc:
        return Row(location, error=_named(describe_validation(exc), header, columns))


def _named(error: str, header: list[str], columns: dict[str, int]) -> str:
    """The error with the column each field came from: `number (column Téléphone): ...`."""
    for name, index in sorted(columns.items(), key=lambda item: -len(item[0])):
        if name in FIELDS:
            shown = key_text(header[index])
            error = error.replace(f"{name}:", f"{name} (column {shown!r}):", 1)
    return error
