"""Named Python checks: the one place where checks that data cannot express are registered."""

from __future__ import annotations

from collections.abc import Mapping

from smscheck.checks import consent, electoral, identity, information, optout, referral, timing
from smscheck.outcome import NamedCheck, NoArgs, Scope

NAMED_CHECKS: Mapping[str, NamedCheck] = {
    "identity.names_sender": NamedCheck(identity.names_sender, identity.IdentityArgs, Scope.MESSAGE),
    "consent.may_be_texted": NamedCheck(consent.may_be_texted, consent.ConsentArgs, Scope.RECIPIENT),
    "referral.single_message": NamedCheck(
        referral.single_message_naming_referrer, NoArgs, Scope.RECIPIENT
    ),
    "information.mentioned_or_linked": NamedCheck(
        information.mentioned_or_linked, information.MentionArgs, Scope.MESSAGE
    ),
    "optout.usable": NamedCheck(optout.usable_opt_out, optout.UsableArgs, Scope.MESSAGE),
    "optout.not_suppressed": NamedCheck(optout.not_suppressed, NoArgs, Scope.RECIPIENT),
    "timing.outside_silence": NamedCheck(timing.outside_silence, timing.SilenceArgs, Scope.MESSAGE),
    "timing.last_campaign_day": NamedCheck(timing.last_campaign_day, NoArgs, Scope.MESSAGE),
    "timing.sending_hours": NamedCheck(timing.within_sending_hours, timing.HoursArgs, Scope.RECIPIENT),
    "electoral.no_freephone": NamedCheck(
        electoral.no_freephone_number, electoral.FreephoneArgs, Scope.MESSAGE
    ),
    "electoral.no_corporate_donation": NamedCheck(
        electoral.no_corporate_donation, NoArgs, Scope.MESSAGE
    ),
}
