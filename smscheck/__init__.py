"""smscheck: check political SMS against French law and campaign rules, before they are sent.

>>> report = smscheck.check(case)          # a Case, built or read from JSON
>>> report.status, [v.rule_id for v in report.verdicts if v.status == "fail"]
"""

from smscheck.engine import Checker, check
from smscheck.models import (
    Campaign,
    Case,
    Channel,
    Consent,
    ConsentGivenTo,
    ConsentScope,
    Controller,
    Dispatch,
    Election,
    ElectionKind,
    Message,
    Origin,
    PastMessage,
    Provider,
    ProviderKind,
    Purpose,
    Recipient,
    Relationship,
    Round,
    SenderKind,
    Territory,
)
from smscheck.packs import Pack, PackError, load_pack, shipped_packs
from smscheck.verdicts import Citation, Concern, Report, Severity, Span, Status, Verdict

__all__ = [
    "Campaign",
    "Case",
    "Channel",
    "Checker",
    "Citation",
    "Concern",
    "Consent",
    "ConsentGivenTo",
    "ConsentScope",
    "Controller",
    "Dispatch",
    "Election",
    "ElectionKind",
    "Message",
    "Origin",
    "Pack",
    "PackError",
    "PastMessage",
    "Provider",
    "ProviderKind",
    "Purpose",
    "Recipient",
    "Relationship",
    "Report",
    "Round",
    "SenderKind",
    "Severity",
    "Span",
    "Status",
    "Territory",
    "Verdict",
    "check",
    "load_pack",
    "shipped_packs",
]
