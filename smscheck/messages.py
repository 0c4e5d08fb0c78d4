"""What a person reads besides the rules' own texts, in the report's language: status words,
labels, and input errors.

Input errors are written in English where they are raised (pydantic's and smscheck's own, with
field paths and offsets); `error_text` gives them in French phrase by phrase, keeping field
names, quoted keys and numbers as they are. A phrase the table does not know stays English:
tests/test_languages.py runs every hostile input and error path under `--lang fr` to keep the
table complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from smscheck.verdicts import Confidence, Lang, Status

STATUS_WORDS: Mapping[Lang, Mapping[Status, str]] = {
    "fr": {
        Status.FAIL: "non conforme",
        Status.REVIEW: "à vérifier",
        Status.WARN: "avertissement",
        Status.PASS: "conforme",
        Status.NOT_APPLICABLE: "sans objet",
    },
    "en": {
        Status.FAIL: "fail",
        Status.REVIEW: "review",
        Status.WARN: "warn",
        Status.PASS: "pass",
        Status.NOT_APPLICABLE: "not applicable",
    },
}

# How well a rule's source was read, in words.
CONFIDENCE_WORDS: Mapping[Lang, Mapping[Confidence, str]] = {
    "fr": {
        Confidence.READ: "texte lu",
        Confidence.SUMMARY: "lu dans un résumé",
        Confidence.UNVERIFIED: "non vérifiée",
    },
    "en": {
        Confidence.READ: "text read",
        Confidence.SUMMARY: "read in a summary",
        Confidence.UNVERIFIED: "unverified",
    },
}

LABELS: Mapping[Lang, Mapping[str, str]] = {
    "fr": {
        "error": "erreur",
        "summary": "Résumé",
        "evidence": "preuve",
        "source": "source",
        "remedy": "correction",
        "rules": "règles au",
        "cases": "cas",
        "templates": "modèle(s)",
        "accepted": "accepté",
        "findings": "constats",
        "recipients": "dest. à revoir",
        "see": "verdicts du message au modèle",
        "ignored": "ignorées (configuration)",
        "input_errors": "entrée(s) illisible(s)",
        "status": "statut",
        "rule": "règle",
        "template": "modèle",
        "count": "nombre",
        "first": "premiers problèmes",
        "nothing": "aucun cas vérifié",
        "all_pass": "tous conformes",
        "recipient": "destinataire",
        "no_case": "aucun cas à vérifier dans l'entrée",
        "no_rule": "Aucune règle chargée n'est en vigueur à la date d'envoi : ce n'est pas une "
        "preuve de conformité, une personne doit vérifier.",
    },
    "en": {
        "error": "error",
        "summary": "Summary",
        "evidence": "evidence",
        "source": "source",
        "remedy": "remedy",
        "rules": "rules as of",
        "cases": "case(s)",
        "templates": "template(s)",
        "accepted": "accepted",
        "findings": "findings",
        "recipients": "recipients",
        "see": "message-level verdicts at the template",
        "ignored": "ignored (configuration)",
        "input_errors": "input error(s)",
        "status": "status",
        "rule": "rule",
        "template": "template",
        "count": "count",
        "first": "first problems",
        "nothing": "no case checked",
        "all_pass": "all pass",
        "recipient": "recipient",
        "no_case": "no case to check in the input",
        "no_rule": "No loaded rule is in force at the send date: that is no evidence of "
        "compliance, a person must check this message.",
    },
}

_TYPES = {
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "true ou false",
    "date": "une date (AAAA-MM-JJ)",
    "datetime": "une date et heure",
    "list": "un tableau JSON",
    "tuple": "un tableau JSON",
    "dictionary": "un objet JSON",
    "url": "une adresse web",
}


def _valid(match: re.Match[str]) -> str:
    kind = _TYPES.get(match["type"].lower(), match["type"])
    detail = f" ({_phrase(match['detail'])})" if match["detail"] else ""
    return f"doit être {kind} valable{detail}"


def _choices(match: re.Match[str]) -> str:
    return "doit valoir " + re.sub(r"(?<=') or (?=')", " ou ", match[1])


def _counted(noun: str) -> Callable[[re.Match[str]], str]:
    def render(match: re.Match[str]) -> str:
        bound = "au plus" if match["bound"] == "most" else "au moins"
        given = f", ici {match['given']}" if match["given"] else ""
        return f"{bound} {match['n']} {noun}{given}"

    return render


# Whole reasons (after `field.path: `), most specific first; `\g<n>` keeps data as it is.
_REASONS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"Extra inputs are not permitted", "champ inconnu (non permis ici)"),
        (r"Field required", "champ obligatoire manquant"),
        (r"Input should have timezone info", "doit donner son décalage horaire (ex. +01:00)"),
        (
            r"Input should be a valid (?P<type>\w+)(?: or \w+)?(?:, (?P<detail>.+))?",
            _valid,
        ),
        (r"Input should be ('.+')", _choices),
        (r"Input should be (greater|less) than or equal to (\S+)", r"doit être \1 ou égal à \2"),
        (
            r"String should have at (?P<bound>most|least) (?P<n>\d+) characters?(?P<given>)",
            _counted("caractère(s)"),
        ),
        (
            r"(?:Tuple|List|Dictionary) should have at (?P<bound>most|least) (?P<n>\d+) "
            r"items? after validation, not (?P<given>\d+)",
            _counted("élément(s)"),
        ),
        (
            r"Invalid phone number (.*): no such number in its numbering plan",
            r"numéro de téléphone invalide \1 : ce numéro n'existe pas dans son plan de numérotation",
        ),
        (
            r"Invalid phone number (.*): letters are not allowed",
            r"numéro de téléphone invalide \1 : les lettres ne sont pas permises",
        ),
        (r"Invalid phone number(.*)", r"numéro de téléphone invalide\1"),
        (r"year (\d+) is outside (\d+)-(\d+)", r"l'année \1 n'est pas entre \2 et \3"),
        (r"year (\d+) is out of range", r"l'année \1 est hors limites"),
        (
            r"dates after 9999 are not supported as unix timestamps",
            "les dates après 9999 ne sont pas lues comme horodatages Unix",
        ),
        (
            r"expected a JSON object \(a case\), found (.+)",
            lambda m: f"un objet JSON (un cas) est attendu, trouvé : {_kind(m[1])}",
        ),
        (
            r"expected a JSON object, found (.+)",
            lambda m: f"un objet JSON est attendu, trouvé : {_kind(m[1])}",
        ),
        (r"expected a JSON object", "un objet JSON est attendu"),
        (r"expected a JSON array", "un tableau JSON est attendu"),
        (r"duplicate key (.+)", r"clé en double \1"),
        (r"empty input", "entrée vide"),
        (r"not UTF-8 text \(byte (\d+)\)", r"texte non UTF-8 (octet \1)"),
        (r"not UTF-8 text", "texte non UTF-8"),
        (
            r"invalid JSON: (\w+) is not a JSON number",
            r"JSON invalide : \1 n'est pas un nombre JSON",
        ),
        (
            r"invalid JSON: a number too long to read",
            "JSON invalide : un nombre trop long pour être lu",
        ),
        (
            r"invalid JSON: (.+) \(line (\d+), column (\d+)\)",
            lambda m: f"JSON invalide : {_json_reason(m[1])} (ligne {m[2]}, colonne {m[3]})",
        ),
        (r"JSON nested deeper than (\d+) levels", r"JSON imbriqué sur plus de \1 niveaux"),
        (
            r"the text holds a lone surrogate \(not Unicode text\)",
            "le texte contient un demi-caractère isolé (pas du texte Unicode)",
        ),
        (
            r"the text holds the control character (U\+[0-9A-F]+) \(only tab, line feed and "
            r"carriage return are allowed\)",
            r"le texte contient le caractère de contrôle \1 (seuls la tabulation, le saut de ligne "
            r"et le retour chariot sont permis)",
        ),
        (
            r"a key holds a lone surrogate \(not Unicode text\)",
            "une clé contient un demi-caractère isolé (pas du texte Unicode)",
        ),
        (
            r"a key holds the control character (U\+[0-9A-F]+)(.*)",
            r"une clé contient le caractère de contrôle \1",
        ),
        (
            r"(the text|a key) holds the invisible format character (U\+[0-9A-F]+) \(.*\): a phone "
            r"would not show the text that is checked",
            lambda m: (
                f"{'le texte' if m[1] == 'the text' else 'une clé'} contient le caractère "
                f"de mise en forme invisible {m[2]} : un téléphone n'afficherait pas le texte vérifié"
            ),
        ),
        (r"no value for (.+)", r"aucune valeur pour \1"),
        (
            r"the filled body has (\d+) characters, more than (\d+)",
            r"le texte rempli a \1 caractères, plus de \2",
        ),
        (
            r"'(.+)' at character (\d+) is not a merge field: write \{name\} \(letters, digits, _ or "
            r"-\), and \{\{ or \}\} for a brace",
            r"'\1' au caractère \2 n'est pas un champ de fusion : écrivez {nom} (lettres, chiffres, "
            r"_ ou -), et {{ ou }} pour une accolade",
        ),
        (
            r"unmatched '(.)' at character (\d+); write (..) for the brace itself",
            r"'\1' sans pendant au caractère \2 ; écrivez \3 pour l'accolade elle-même",
        ),
        (
            r"a campaign template and no recipient: in JSON Lines, recipient lines follow it",
            "un modèle de campagne sans destinataire : en JSON Lines, les lignes des destinataires "
            "le suivent",
        ),
        (
            r"a recipient line before any template line: a line (.+) must come first",
            r"une ligne de destinataire avant toute ligne de modèle : une ligne \1 doit venir d'abord",
        ),
        (
            r"template line with no recipient line after it",
            "ligne de modèle sans ligne de destinataire après elle",
        ),
        (r"follows the invalid template of line (\d+)", r"suit le modèle invalide de la ligne \1"),
        (
            r"a byte order mark in the middle of the file",
            "une marque d'ordre des octets au milieu du fichier",
        ),
        (
            r"a line longer than (\d+) MiB: the rest of the input is not read",
            r"une ligne de plus de \1 Mio : la suite de l'entrée n'est pas lue",
        ),
        (r"line longer than (\d+) MiB", r"ligne de plus de \1 Mio"),
        (
            r"larger than (\d+) MiB and not JSON Lines: too big for one JSON document",
            r"plus de \1 Mio et pas en JSON Lines : trop gros pour un document JSON",
        ),
        (r"cannot open: (.+)", lambda m: f"ouverture impossible : {_phrase(m[1])}"),
        (r"No such file or directory", "fichier ou dossier introuvable"),
        (r"Is a directory", "c'est un dossier"),
        (r"Permission denied", "permission refusée"),
        (r"No space left on device", "plus de place sur le disque"),
        (r"Dis[ck] quota exceeded", "quota de disque dépassé"),  # Disc: macOS
        (r"cannot read: (.+)", r"lecture impossible : \1"),
        (r"no standard input", "pas d'entrée standard"),
        (r"standard input is closed", "l'entrée standard est fermée"),
        (r"standard output is closed", "la sortie standard est fermée"),
        (r"interrupted: the results are incomplete", "interrompu : les résultats sont incomplets"),
        (r"terminated: the results are incomplete", "arrêté : les résultats sont incomplets"),
        (
            r"a worker process ended unexpectedly \((signal|exit code) (\d+)\): the results are incomplete",
            lambda m: (
                "un processus de travail s'est arrêté inopinément ("
                + ("signal" if m[1] == "signal" else "code de sortie")
                + f" {m[2]}) : les résultats sont incomplets"
            ),
        ),
        (
            r"the output was closed before the end \(broken pipe\): results are incomplete",
            "la sortie a été fermée avant la fin (tube rompu) : les résultats sont incomplets",
        ),
        (
            r"unexpected (\w+) at (\S+): please report it",
            r"erreur inattendue \1 en \2 : merci de la signaler",
        ),
        (
            r"rule id already used by pack (.+) \((.+)\): choose another id",
            r"identifiant de règle déjà pris par le pack \1 (\2) : choisissez-en un autre",
        ),
        (r"nested too deep", "imbriqué trop profondément"),
        (r"no case to check in the input", "aucun cas à vérifier dans l'entrée"),
        (
            # The folder comes first, unless it was split off as the problem's place (it is
            # not when its path holds a space).
            r"(.+: )?(.+?) in the temporary folder where --jobs keeps workers' output until "
            r"its turn: set TMPDIR to a disk with more room, or use --jobs 1",
            lambda m: (
                f"{m[1] or ''}{_phrase(m[2])} dans le dossier temporaire où --jobs garde la "
                "sortie des processus de travail jusqu'à son tour : donnez à TMPDIR un disque "
                "plus grand, ou utilisez --jobs 1"
            ),
        ),
        (r"a campaign name is blank", "un nom de campagne est vide"),
        (r"and (\d+) more problem\(s\)", r"et \1 autre(s) problème(s)"),
        (r"no such pack file", "fichier de pack introuvable"),
        (r"invalid TOML: (.+)", r"TOML invalide : \1"),
        (r"unknown kind (.+) \(known: (.+)\)", r"type inconnu \1 (connus : \2)"),
        (r"duplicate rule id", "identifiant de règle en double"),
        (r"ends before it starts", "se termine avant de commencer"),
        (r"not a regular file", "pas un fichier ordinaire"),
        (
            r"no rule in force on (\S+) in the packs loaded",
            r"aucune règle des packs chargés n'est en vigueur le \1",
        ),
        (r"no rule (\S+) in the packs loaded(.*)", r"aucune règle \1 dans les packs chargés\2"),
        (
            r"exists already: remove it or choose another folder",
            "existe déjà : supprimez-le ou choisissez un autre dossier",
        ),
        (r"no opt-out registry at (.+)", r"aucun registre de désinscriptions à \1"),
        (r"cannot open (.+): (.+)", r"ouverture impossible de \1 : \2"),
        (
            r"(.+) is not a smscheck opt-out registry",
            r"\1 n'est pas un registre de désinscriptions smscheck",
        ),
    )
)

_KINDS = {
    "a string": "un texte",
    "a number": "un nombre",
    "an array": "un tableau",
    "true or false": "true ou false",
    "null": "null",
}
_JSON_REASONS = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de clé entre guillemets attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Unterminated string starting at": "chaîne non terminée",
    "Invalid control character at": "caractère de contrôle invalide",
    "Extra data": "données en trop",
    "Invalid \\escape": "échappement \\ invalide",
}


def _kind(text: str) -> str:
    return _KINDS.get(text, text)


def _json_reason(text: str) -> str:
    return _JSON_REASONS.get(text, text)


def _phrase(reason: str) -> str:
    for pattern, replacement in _REASONS:
        match = pattern.fullmatch(reason)
        if match is not None:
            return replacement(match) if callable(replacement) else match.expand(replacement)
    return reason


# `where: reason`: where is a field path, `(document)`, `merge`, or a pack file and its key.
_PROBLEM = re.compile(
    r"(?P<where>(?:[^\s:;]+(?: \([^)]*\))?(?:\.[^\s:;]+)*: )*)(?P<reason>.+)", re.DOTALL
)


def _problem(text: str) -> str:
    found = _PROBLEM.fullmatch(text)
    if found is None:
        return text
    return found["where"] + _phrase(found["reason"])


def error_text(message: str, lang: Lang) -> str:
    """An input or usage error in `lang`: each `where: reason` problem, the reason translated."""
    if lang == "en" or not message:
        return message
    whole = _problem(message)
    if whole != message:
        return whole
    return " ; ".join(_problem(problem) for problem in message.split("; "))
