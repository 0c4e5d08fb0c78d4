"""Throughput of number normalisation and segment measurement: `python -m bench.bench_phones`."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from bench.timing import best_rate
from smscheck.phones import PhoneNumberError, to_e164
from smscheck.segments import measure

FRENCH_BODY = (
    "Bonjour, je serai au marché de la place Carnot samedi à 10h pour échanger avec vous "
    "sur le projet municipal. Votre voix compte, merci ! STOP au 36111."
)
UCS2_BODY = (
    "Merci d’être venus si nombreux ce soir\u00a0! Rendez-vous jeudi à 19h, salle des fêtes. "
    "Ça compte 🗳️ STOP au 36111"
)


def rate(label: str, work: Callable[[str], object], inputs: Sequence[str]) -> None:
    """Print how many inputs per second `work` handles, best of three rounds."""
    print(f"{label:<44} {best_rate(work, inputs):>12,.0f} /s")


def valid(number: str) -> bool:
    try:
        to_e164(number)
    except PhoneNumberError:
        return False
    return True


def main() -> None:
    draw = random.Random(2013)
    mobiles = [n for n in (f"+336{draw.randrange(10**8):08d}" for _ in range(60_000)) if valid(n)]
    national = [f"0{n[3]} {n[4:6]} {n[6:8]} {n[8:10]} {n[10:12]}" for n in mobiles]
    print(f"body lengths: French {len(FRENCH_BODY)} chars, UCS-2 {len(UCS2_BODY)} chars")
    rate("to_e164, E.164 input (fast path)", to_e164, mobiles)
    rate("to_e164, national input '06 12 34 56 78'", to_e164, national)
    rate("measure, 150-char French GSM body", measure, [FRENCH_BODY] * 200_000)
    rate("measure, UCS-2 body with emoji", measure, [UCS2_BODY] * 50_000)


if __name__ == "__main__":
    main()
