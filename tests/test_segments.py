"""Segment arithmetic: encoding choice, part splitting, and GSM-7 substitutions."""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from smscheck.segments import (
    Replacement,
    Trigger,
    _measure_clusters,
    apply_replacements,
    measure,
    suggest_replacements,
)

# GSM 03.38, typed here from the standard's table independently of the module under test.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}
GSM_EXTENSION = set("\x0c^{}\\[~]|€")
GSM = GSM_BASIC | GSM_EXTENSION

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 7 code points, 11 UCS-2 units, one grapheme
FLAG = "🇫🇷"  # 2 regional indicators, 4 units, one grapheme
THUMB = "👍🏽"  # emoji + skin tone, 4 units, one grapheme
KEYCAP = "1\ufe0f\u20e3"  # 3 units, one grapheme
E_ACUTE = "e\u0301"  # e + combining acute accent, 2 units, one grapheme
GSM_BODY = (
    "Bonjour, je serai au marché de la place Carnot samedi à 10h pour échanger avec vous "
    "sur le projet municipal. Votre voix compte, merci ! STOP au 36111."
)
UCS2_BODY = (
    "Bonjour, je serai au marché samedi à 10h pour parler de l’école et du projet municipal "
    "avec vous. STOP au 36111"
)

# (text, encoding, characters in each part, units used, units left in the last part)
CASES = [
    pytest.param("", "gsm7", (0,), 0, 160, id="empty_text_is_one_part_of_nothing"),
    pytest.param("a", "gsm7", (1,), 1, 159, id="one_letter"),
    pytest.param("a" * 160, "gsm7", (160,), 160, 0, id="160_gsm_characters_fit_one_sms"),
    pytest.param("a" * 161, "gsm7", (153, 8), 161, 145, id="161_gsm_characters_need_two_parts"),
    pytest.param("a" * 306, "gsm7", (153, 153), 306, 0, id="306_gsm_characters_fill_two_parts"),
    pytest.param("a" * 307, "gsm7", (153, 153, 1), 307, 152, id="307_gsm_characters_need_three"),
    pytest.param("a" * 459, "gsm7", (153,) * 3, 459, 0, id="459_gsm_characters_fill_three"),
    pytest.param("a" * 460, "gsm7", (153, 153, 153, 1), 460, 152, id="460_need_four"),
    pytest.param("é" * 160, "gsm7", (160,), 160, 0, id="160_e_acute_fit_one_sms"),
    pytest.param("é" * 161, "gsm7", (153, 8), 161, 145, id="161_e_acute_need_two_parts"),
    pytest.param("Ç" * 161, "gsm7", (153, 8), 161, 145, id="capital_c_cedilla_is_gsm"),
    pytest.param("\n" * 161, "gsm7", (153, 8), 161, 145, id="line_feeds_cost_one_septet"),
    pytest.param("€", "gsm7", (1,), 2, 158, id="euro_sign_costs_two_septets"),
    pytest.param("€" * 80, "gsm7", (80,), 160, 0, id="80_euro_signs_fit_one_sms"),
    pytest.param("€" * 81, "gsm7", (76, 5), 162, 143, id="81_euro_signs_need_two_parts"),
    pytest.param("a" * 158 + "€", "gsm7", (159,), 160, 0, id="extension_char_ending_at_160"),
    pytest.param("a" * 159 + "€", "gsm7", (153, 7), 161, 145, id="extension_char_at_161"),
    pytest.param(
        "a" * 152 + "€" + "b" * 10,
        "gsm7",
        (152, 11),
        164,
        141,
        id="escape_pair_across_septet_153_moves_to_next_part",
    ),
    pytest.param(
        "a" * 151 + "€" + "b" * 10,
        "gsm7",
        (152, 10),
        163,
        143,
        id="escape_pair_ending_on_septet_153_stays",
    ),
    pytest.param("€" + "a" * 159, "gsm7", (152, 8), 161, 145, id="extension_char_first"),
    pytest.param(
        "a" * 305 + "{",
        "gsm7",
        (153, 152, 1),
        307,
        151,
        id="escape_pair_across_septet_306_moves_to_third_part",
    ),
    pytest.param(
        "a" * 304 + "{" + "a",
        "gsm7",
        (153, 152, 1),
        307,
        152,
        id="escape_pair_ending_on_septet_306_stays",
    ),
    pytest.param("|" * 153 + "a" * 8, "gsm7", (76, 76, 9), 314, 143, id="pipes_76_per_part"),
    pytest.param(
        "^{}\\[~]|€\x0c", "gsm7", (10,), 20, 140, id="every_extension_char_costs_two_septets"
    ),
    pytest.param("\r\n", "gsm7", (2,), 2, 158, id="crlf_costs_two_septets"),
    pytest.param(
        "a" * 152 + "\r\n" + "a" * 10, "gsm7", (153, 11), 164, 142, id="crlf_split_at_153"
    ),
    pytest.param(
        "é" * 66 + "ç\r\n" + "é" * 10, "ucs2", (67, 12), 79, 55, id="ucs2_crlf_split_at_67"
    ),
    pytest.param(
        "a" * 151 + "\r\n" + "a" * 10, "gsm7", (153, 10), 163, 143, id="crlf_ending_on_153"
    ),
    pytest.param(
        "@£$¥_!\"#¤%&'()*+,-./:;<=>?¡¿§", "gsm7", (29,), 29, 131, id="gsm_symbols_cost_one"
    ),
    pytest.param("ΔΦΓΛΩΠΨΣΘΞ", "gsm7", (10,), 10, 150, id="greek_capitals_in_gsm"),
    pytest.param("ØøÅåÄäÖöÑñÜüßÆæÉ", "gsm7", (16,), 16, 144, id="nordic_german_letters_in_gsm"),
    pytest.param("èéùìòà", "gsm7", (6,), 6, 154, id="gsm_lowercase_accents"),
    pytest.param("Où ? Là-bas. Ça va ?", "gsm7", (20,), 20, 140, id="french_sentence_in_gsm"),
    pytest.param(GSM_BODY, "gsm7", (150,), 150, 10, id="150_char_french_body_is_one_sms"),
    pytest.param("À", "ucs2", (1,), 1, 69, id="capital_a_grave_is_not_gsm"),
    pytest.param("È", "ucs2", (1,), 1, 69, id="capital_e_grave_is_not_gsm"),
    pytest.param("ç", "ucs2", (1,), 1, 69, id="small_c_cedilla_is_not_gsm"),
    pytest.param("`", "ucs2", (1,), 1, 69, id="backtick_is_not_gsm"),
    pytest.param("\t", "ucs2", (1,), 1, 69, id="tab_is_not_gsm"),
    pytest.param("α", "ucs2", (1,), 1, 69, id="greek_small_letter_is_not_gsm"),
    pytest.param("\u2126", "ucs2", (1,), 1, 69, id="ohm_sign_is_not_greek_omega"),
    pytest.param("Le maire vous reçoit.", "ucs2", (21,), 21, 49, id="c_cedilla_sentence"),
    pytest.param("Merci d’être venus", "ucs2", (18,), 18, 52, id="apostrophe_and_e_circumflex"),
    pytest.param("Vœux du maire", "ucs2", (13,), 13, 57, id="oe_ligature_sentence"),
    pytest.param("Réunion à 19\u00a0h", "ucs2", (14,), 14, 56, id="no_break_space_sentence"),
    pytest.param("«\u202fEnsemble\u202f»", "ucs2", (12,), 12, 58, id="guillemets_sentence"),
    pytest.param(UCS2_BODY, "ucs2", (67, 44), 111, 23, id="one_apostrophe_makes_two_parts"),
    pytest.param("a" * 69 + "ç", "ucs2", (70,), 70, 0, id="70_ucs2_units_fit_one_sms"),
    pytest.param("a" * 70 + "ç", "ucs2", (67, 4), 71, 63, id="71_ucs2_units_need_two_parts"),
    pytest.param("ç" * 134, "ucs2", (67, 67), 134, 0, id="134_ucs2_units_fill_two_parts"),
    pytest.param("ç" * 135, "ucs2", (67, 67, 1), 135, 66, id="135_ucs2_units_need_three"),
    pytest.param("ç" * 201, "ucs2", (67,) * 3, 201, 0, id="201_ucs2_units_fill_three_parts"),
    pytest.param("ç" * 202, "ucs2", (67, 67, 67, 1), 202, 66, id="202_ucs2_units_need_four"),
    pytest.param("’" * 70, "ucs2", (70,), 70, 0, id="70_apostrophes_fit_one_sms"),
    pytest.param("😀", "ucs2", (1,), 2, 68, id="emoji_takes_two_units"),
    pytest.param("𝄞", "ucs2", (1,), 2, 68, id="any_char_beyond_bmp_takes_two_units"),
    pytest.param("😀" * 35, "ucs2", (35,), 70, 0, id="35_emoji_fit_one_sms"),
    pytest.param("😀" * 36, "ucs2", (33, 3), 72, 61, id="36_emoji_need_two_parts_of_33"),
    pytest.param(
        "a" * 66 + "😀" + "a" * 10,
        "ucs2",
        (66, 11),
        78,
        55,
        id="surrogate_pair_across_unit_67_moves_to_next_part",
    ),
    pytest.param(
        "a" * 65 + "😀" + "a" * 10, "ucs2", (66, 10), 77, 57, id="surrogate_pair_ending_on_67"
    ),
    pytest.param(FLAG, "ucs2", (2,), 4, 66, id="flag_takes_four_units"),
    pytest.param(FLAG + "🇫", "ucs2", (3,), 6, 64, id="lone_regional_indicator_after_flag"),
    pytest.param("a" * 64 + FLAG + "a" * 10, "ucs2", (64, 12), 78, 53, id="flag_is_never_split"),
    pytest.param("a" * 63 + FLAG + "a" * 10, "ucs2", (65, 10), 77, 57, id="flag_ending_on_67"),
    pytest.param(FAMILY, "ucs2", (7,), 11, 59, id="zwj_family_takes_eleven_units"),
    pytest.param(
        "a" * 60 + FAMILY + "a" * 10, "ucs2", (60, 17), 81, 46, id="zwj_family_is_never_split"
    ),
    pytest.param(
        "a" * 56 + FAMILY + "a" * 10, "ucs2", (63, 10), 77, 57, id="zwj_family_ending_on_67"
    ),
    pytest.param(THUMB, "ucs2", (2,), 4, 66, id="skin_tone_emoji_takes_four_units"),
    pytest.param(
        "a" * 65 + THUMB + "a" * 5, "ucs2", (65, 7), 74, 58, id="skin_tone_is_never_split"
    ),
    pytest.param(KEYCAP, "ucs2", (3,), 3, 67, id="keycap_takes_three_units"),
    pytest.param("a" * 66 + KEYCAP + "a" * 4, "ucs2", (66, 7), 73, 60, id="keycap_is_never_split"),
    pytest.param(E_ACUTE, "ucs2", (2,), 2, 68, id="combining_accent_forces_ucs2"),
    pytest.param(
        "a" * 66 + E_ACUTE + "a" * 5,
        "ucs2",
        (66, 7),
        73,
        60,
        id="letter_and_combining_accent_are_never_split",
    ),
    pytest.param(
        "a" * 65 + E_ACUTE + "a" * 5, "ucs2", (67, 5), 72, 62, id="combining_accent_ending_on_67"
    ),
    pytest.param(
        "a" * 4 + "e" + "\u0301" * 66,
        "ucs2",
        (4, 67),
        71,
        0,
        id="cluster_of_exactly_67_units_gets_a_part_of_its_own",
    ),
    pytest.param(
        "e" + "\u0301" * 80,
        "ucs2",
        (67, 14),
        81,
        53,
        id="cluster_longer_than_a_part_is_cut_between_code_points",
    ),
]


@pytest.mark.parametrize(("text", "encoding", "lengths", "units", "left"), CASES)
def test_segmentation_table(
    text: str, encoding: str, lengths: tuple[int, ...], units: int, left: int
) -> None:
    result = measure(text)
    assert result.encoding == encoding
    assert tuple(len(part) for part in result.parts) == lengths
    assert result.part_count == len(lengths)
    assert result.units_used == units
    assert result.units_left_in_last_part == left
    assert "".join(result.parts) == text


def test_triggers_give_each_non_gsm_character_with_its_offset() -> None:
    assert measure("Merci d’être venus").ucs2_triggers == (Trigger(7, "’"), Trigger(8, "ê"))


def test_trigger_of_a_combining_accent_is_the_mark() -> None:
    assert measure("cafe\u0301").ucs2_triggers == (Trigger(4, "\u0301"),)


def test_every_code_point_of_an_emoji_sequence_is_a_trigger() -> None:
    assert [t.index for t in measure("ok " + FAMILY).ucs2_triggers] == list(range(3, 10))


def test_gsm_text_with_extension_characters_has_no_triggers() -> None:
    assert measure("Prix : 5 € [TTC] ~ {ok}").ucs2_triggers == ()


def test_french_sentence_triggers_c_cedilla_oe_apostrophe_and_no_break_spaces() -> None:
    text = "Ça reçoit les vœux d’ici\u00a0: «\u202fmerci\u202f»"
    triggers = {trigger.char for trigger in measure(text).ucs2_triggers}
    assert triggers == {"ç", "œ", "’", "\u00a0", "«", "\u202f", "»"}


# Substitutions


def test_typographic_apostrophe_becomes_ascii_and_saves_a_part() -> None:
    assert suggest_replacements(UCS2_BODY) == (Replacement("’", "'", 1, 2, 1, False),)
    assert measure(apply_replacements(UCS2_BODY)).part_count == 1


def test_guillemets_become_quotes_and_their_no_break_spaces_plain_spaces() -> None:
    assert apply_replacements("«\u00a0Oui\u00a0» et «\u202fnon\u202f»") == '" Oui " et " non "'


def test_no_break_and_thin_spaces_become_plain_spaces() -> None:
    assert apply_replacements("19\u00a0h\u202f: 10\u2009000 €") == "19 h : 10 000 €"


def test_dashes_become_hyphens_and_ellipsis_three_dots() -> None:
    assert apply_replacements("Paris – Lyon — Nice‑Sud…") == "Paris - Lyon - Nice-Sud..."


def test_curly_quotes_become_straight_quotes() -> None:
    assert apply_replacements("“oui” ‘non’") == "\"oui\" 'non'"


def test_each_replacement_counts_its_occurrences() -> None:
    found = suggest_replacements("l’un, l’autre et l’autre")
    assert [(r.from_char, r.to, r.count) for r in found] == [("’", "'", 3)]


def test_decomposed_accent_recomposes_into_its_gsm_letter_without_loss() -> None:
    assert suggest_replacements("cafe\u0301") == (Replacement(E_ACUTE, "é", 1, 1, 1, False),)
    assert measure(apply_replacements("cafe\u0301")).encoding == "gsm7"


def test_ohm_sign_becomes_greek_omega() -> None:
    assert apply_replacements("10 \u2126") == "10 Ω"


def test_accents_outside_gsm_are_kept_unless_loss_is_allowed() -> None:
    assert suggest_replacements("ça") == ()
    assert apply_replacements("ça") == "ça"


@pytest.mark.parametrize(
    ("letter", "folded"),
    [
        ("ç", "c"),
        ("â", "a"),
        ("ê", "e"),
        ("î", "i"),
        ("ô", "o"),
        ("û", "u"),
        ("ë", "e"),
        ("ï", "i"),
        ("ÿ", "y"),
        ("œ", "oe"),
        ("Œ", "OE"),
        ("À", "A"),
        ("È", "E"),
        ("Ê", "E"),
        ("c\u0327", "c"),
    ],
)
def test_lossy_folding_keeps_the_base_letter(letter: str, folded: str) -> None:
    assert apply_replacements(letter, allow_lossy=True) == folded
    assert all(r.lossy for r in suggest_replacements(letter, allow_lossy=True))


def test_gsm_accented_letters_are_never_folded() -> None:
    assert suggest_replacements("é è à ù ì ò É Ç ü ñ", allow_lossy=True) == ()


def test_lossless_replacements_come_first_and_parts_are_counted_step_by_step() -> None:
    text = "Rendez-vous à l’école, ça compte !" + " x" * 30
    assert suggest_replacements(text, allow_lossy=True) == (
        Replacement("’", "'", 1, 2, 2, False),
        Replacement("ç", "c", 1, 2, 1, True),
    )


def test_emoji_has_no_replacement() -> None:
    assert suggest_replacements("Merci 🙏", allow_lossy=True) == ()


def test_gsm_text_needs_no_replacement() -> None:
    assert suggest_replacements(GSM_BODY, allow_lossy=True) == ()
    assert apply_replacements(GSM_BODY, allow_lossy=True) == GSM_BODY


# Properties

# Characters that matter to encoding or to grapheme clusters: GSM, extension, CR LF, French
# typography, emoji parts, combining marks, Hangul jamo, Indic conjuncts, prepend marks.
INTERESTING = (
    *"aé€{\r\n ’«»\u00a0\u202fçœê—…\t`",
    *("🇫", "😀", "\u200d", "🏽", "\ufe0f", "\u20e3", "\u0301", "\u0327"),
    *("\u1100", "\u1161", "\u11a8", "क", "\u094d", "ष", "\u093e", "\u0600", "\u2126", "𝄞"),
)
characters = st.one_of(st.sampled_from(INTERESTING), st.characters(codec="utf-8"))
texts = st.lists(st.one_of(characters, st.sampled_from([FLAG, FAMILY])), max_size=300).map("".join)
gsm_texts = st.text(alphabet=st.sampled_from(sorted(GSM)), max_size=400)
simple_gsm_texts = st.text(alphabet=st.sampled_from(sorted(GSM_BASIC)), max_size=400)
GRAPHEME = regex.compile(r"\X")


def units(text: str, encoding: str) -> int:
    if encoding == "gsm7":
        return sum(2 if char in GSM_EXTENSION else 1 for char in text)
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def grapheme_bounds(text: str) -> set[int]:
    """Where a part may end: between grapheme clusters, and between CR and LF (two characters)."""
    between_cr_lf = {i + 1 for i in range(len(text) - 1) if text[i : i + 2] == "\r\n"}
    return {found.end() for found in GRAPHEME.finditer(text)} | {0} | between_cr_lf


@given(texts)
def test_parts_concatenate_back_to_the_text(text: str) -> None:
    assert "".join(measure(text).parts) == text


@given(st.one_of(texts, gsm_texts))
def test_no_part_exceeds_its_limit_and_units_add_up(text: str) -> None:
    result = measure(text)
    single, per_part = (160, 153) if result.encoding == "gsm7" else (70, 67)
    sizes = [units(part, result.encoding) for part in result.parts]
    limit = single if result.part_count == 1 else per_part
    assert all(size <= limit for size in sizes)
    assert sum(sizes) == result.units_used
    assert result.units_left_in_last_part == limit - sizes[-1]
    assert result.part_count == len(result.parts)


@given(st.one_of(texts, gsm_texts))
def test_encoding_and_triggers_follow_the_gsm_table(text: str) -> None:
    result = measure(text)
    expected = tuple(Trigger(i, char) for i, char in enumerate(text) if char not in GSM)
    assert result.ucs2_triggers == expected
    assert result.encoding == ("ucs2" if expected else "gsm7")


@given(gsm_texts)
def test_gsm_only_text_never_reports_ucs2(text: str) -> None:
    assert measure(text).encoding == "gsm7"


@given(st.one_of(texts, gsm_texts))
def test_parts_are_cut_only_between_graphemes_and_filled_greedily(text: str) -> None:
    result = measure(text)
    per_part = 153 if result.encoding == "gsm7" else 67
    bounds = grapheme_bounds(text)
    cut = 0
    for part, following in zip(result.parts, result.parts[1:], strict=False):
        cut += len(part)
        next_cluster = GRAPHEME.match(following)
        assert next_cluster is not None
        if cut in bounds:
            head = "\r" if following.startswith("\r\n") else next_cluster.group()
            if units(head, result.encoding) > per_part:
                head = head[0]  # an oversize cluster is placed code point by code point
        else:  # only a cluster too big for any part may be cut
            cluster = GRAPHEME.match(text, max(b for b in bounds if b < cut))
            assert cluster is not None
            assert units(cluster.group(), result.encoding) > per_part
            head = following[0]
        assert units(part, result.encoding) + units(head, result.encoding) > per_part


@given(st.one_of(texts, gsm_texts), characters)
def test_appending_a_character_never_reduces_the_part_count(text: str, extra: str) -> None:
    assert measure(text + extra).part_count >= measure(text).part_count


@given(simple_gsm_texts)
def test_plain_gsm_fast_path_agrees_with_the_general_path(text: str) -> None:
    assert measure(text) == _measure_clusters(text)


@given(texts)
def test_applied_replacements_give_the_parts_last_announced(text: str) -> None:
    for lossy in (False, True):
        suggestions = suggest_replacements(text, allow_lossy=lossy)
        expected = suggestions[-1].parts_after if suggestions else measure(text).part_count
        assert measure(apply_replacements(text, allow_lossy=lossy)).part_count == expected


@given(texts)
def test_replacements_never_drop_a_letter_or_turn_a_space_into_punctuation(text: str) -> None:
    result = apply_replacements(text, allow_lossy=True)
    assert sum(char.isalpha() for char in result) >= sum(char.isalpha() for char in text)
    spaces = [char for char in text if unicodedata.category(char) == "Zs"]
    assert sum(unicodedata.category(char) == "Zs" for char in result) == len(spaces)
    for replacement in suggest_replacements(text, allow_lossy=True):
        if unicodedata.category(replacement.from_char[0]) == "Zs":
            assert replacement.to == " "
