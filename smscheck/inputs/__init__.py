"""Reading cases from files, one module per format (`document` JSON, `lines` JSON Lines,
`csv_file` CSV recipients, `campaign_file` TOML campaign files) sharing the bounds (`bounds`),
the merge fields of campaign templates (`merge`) and located errors (`located`).

Accepted documents: a case (`message`, `recipient`, `campaign`); a seed (`case` plus
`expected`); and in JSON Lines a campaign: a line `{"template": {"message": ..., "campaign": ...}}`
followed by recipient lines, each a recipient with optional `merge` fields that fill the
template's `{placeholders}`.

Reading is strict and bounded whatever the bytes: UTF-8 only (a leading byte order mark is
skipped), no duplicate keys, no NaN or Infinity, no lone surrogates, no control characters in
text other than tab, line feed and carriage return, nesting at most MAX_DEPTH deep, a document
at most MAX_DOCUMENT_BYTES and a JSON Lines line at most MAX_LINE_BYTES. Every problem becomes
an error naming the field (the line is in the item's location) that never quotes the data.
"""

from smscheck.inputs.bounds import (
    LINE_SUFFIXES,
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    bounded_lines,
)
from smscheck.inputs.campaign_file import CAMPAIGN_SUFFIXES, CampaignFile
from smscheck.inputs.csv_file import CsvOptions
from smscheck.inputs.document import case_from
from smscheck.inputs.lines import LineReader, is_template_line, read_lines
from smscheck.inputs.located import (
    MAX_PROBLEMS,
    InputError,
    Item,
    Location,
    describe_validation,
)
from smscheck.inputs.merge import Filler, MergeBody, RecipientLine, Template
from smscheck.inputs.reading import read

__all__ = [
    "CAMPAIGN_SUFFIXES",
    "LINE_SUFFIXES",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PROBLEMS",
    "CampaignFile",
    "CsvOptions",
    "Filler",
    "InputError",
    "Item",
    "LineReader",
    "Location",
    "MergeBody",
    "RecipientLine",
    "Template",
    "bounded_lines",
    "case_from",
    "describe_validation",
    "is_template_line",
    "read",
    "read_lines",
]
