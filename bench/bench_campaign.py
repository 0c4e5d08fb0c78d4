"""Campaign-scale benchmark: a synthetic personalised campaign through the checker.

    python bench/bench_campaign.py                 # N = 10k, 100k, 1M
    python bench/bench_campaign.py --sizes 10000   # quicker

For each N it prints cases/second for validation alone (the floor: parse and validate every
line), for the full check (parse, check, render JSON of the cases that do not pass), their
ratio, the peak memory of the full check, and the rate with --jobs 2; then the same full check
rendering SARIF (one small result per failing verdict), alone and with --jobs 2. Each
measurement runs in a fresh process so that peak memory is that of the run alone.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BODIES = (
    "Bonjour {prenom}, dimanche chaque voix compte : votez pour la liste Ensemble pour Lyon ! "
    "Marie Dupont. Vos coordonnées proviennent de notre fichier d'adhérents. "
    "Infos et droits : https://exemple.fr/donnees. STOP au 36111",
    "{prenom}, réunion publique mardi 19h salle des fêtes avec Marie Dupont. "
    "Vos données : https://exemple.fr/donnees. STOP au 36111",
)
FIRST_NAMES = (
    "Marie",
    "Jean",
    "Zoé",
    "Étienne",
    "Françoise",
    "Noël",
    "Inès",
    "Loïc",
    "Anaïs",
    "Hugo",
)
MOBILE_BLOCKS = ("+33612", "+33623", "+33645", "+33650", "+33678", "+33699", "+33751", "+33782")
RELATIONSHIPS = ("member", "member", "member", "regular_contact", "opted_in", "prospect")
ORIGINS = ("party_member_file", "collected_directly", "rented_file", "referral", "unknown")


def template(body: str) -> dict[str, object]:
    return {
        "template": {
            "message": {"sender": "36111", "body": body, "send_at": "2026-03-11T14:00:00+01:00"},
            "campaign": {
                "sender_kind": "candidate",
                "names": ["Marie Dupont", "Ensemble pour Lyon"],
                "election": {
                    "kind": "municipal",
                    "rounds": [{"polling_date": "2026-03-15"}, {"polling_date": "2026-03-22"}],
                },
                "info_notice_url": "https://exemple.fr/donnees",
            },
        }
    }


def generate(path: Path, n: int, seed: int = 7) -> None:
    """N recipient lines under two templates, 1% of them broken in various ways."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for index in range(n):
            if index % (n // 2 or 1) == 0:
                out.write(
                    json.dumps(template(BODIES[(index // (n // 2 or 1)) % 2]), ensure_ascii=False)
                    + "\n"
                )
            if rng.random() < 0.01:
                out.write(
                    rng.choice(
                        ('{"number": "+336', '{"number": "+33612345678", "origin": "moon"}', "[]")
                    )
                    + "\n"
                )
                continue
            relationship = rng.choice(RELATIONSHIPS)
            line: dict[str, object] = {
                "number": f"{rng.choice(MOBILE_BLOCKS)}{rng.randrange(10**6):06d}",
                "relationship": relationship,
                "origin": "party_member_file" if relationship == "member" else rng.choice(ORIGINS),
                "merge": {"prenom": rng.choice(FIRST_NAMES)},
            }
            if relationship == "opted_in":
                line["consent"] = {
                    "given_on": "2025-11-02",
                    "scope": "political_sms",
                    "collected_by": "Marie Dupont",
                    "told_political_use": True,
                }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _validate_only(path: str) -> int:
    from smscheck.inputs import read_lines

    count = 0
    with open(path, "rb") as handle:
        for _ in read_lines(path, handle):
            count += 1
    return count


def _full_check(path: str, jobs: int, fmt: str) -> int:
    from smscheck.batch import Settings, run

    settings = Settings(fmt=fmt, only_problems=True)
    sink = io.StringIO()
    cases = 0
    for done in run([path], settings, sys.stdin.buffer, jobs=jobs):
        cases += done.summary.cases + done.summary.errors
        sink.write(done.rendered)
        sink.seek(0)
        sink.truncate()
    return cases


def measure(mode: str, path: str, jobs: int) -> None:
    """Runs in a child process: prints `count seconds peak_mib` for one mode."""
    started = time.perf_counter()
    count = _validate_only(path) if mode == "validate" else _full_check(path, jobs, mode)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(count, seconds, peak_mib)


def child(mode: str, path: Path, jobs: int = 1) -> tuple[int, float, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    )
    count, seconds, peak = done.stdout.split()
    return int(count), float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path, jobs = args.child
        measure(mode, path, int(jobs))
        return
    print(
        f"{'N':>9} {'validate/s':>11} {'check/s':>9} {'ratio':>6} {'peak MiB':>9} "
        f"{'jobs=2/s':>9} {'speed-up':>8} {'sarif/s':>9} {'sarif j=2':>9} {'speed-up':>8}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            path = Path(folder) / f"campaign-{n}.jsonl"
            generate(path, n)
            count, floor_s, _ = child("validate", path)
            _, check_s, peak = child("json", path)
            _, jobs_s, _ = child("json", path, jobs=2)
            _, sarif_s, _ = child("sarif", path)
            _, sarif_jobs_s, _ = child("sarif", path, jobs=2)
            print(
                f"{n:>9,} {count / floor_s:>11,.0f} {count / check_s:>9,.0f} {check_s / floor_s:>6.2f} "
                f"{peak:>9.0f} {count / jobs_s:>9,.0f} {check_s / jobs_s:>8.2f} "
                f"{count / sarif_s:>9,.0f} {count / sarif_jobs_s:>9,.0f} {sarif_s / sarif_jobs_s:>8.2f}",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
