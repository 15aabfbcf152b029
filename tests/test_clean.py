"""Cleaning of already-extracted text, on the seeds and on made-up debris."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SAMPLE, SEED_PRESS_TV, SEED_TEHRAN_TIMES
from storyweave.clean import clean_text, normalize_unicode, words
from storyweave.clean.dates import dateline
from storyweave.clean.rules import TAIL_RULES
from storyweave.clean.words import _WORD


def test_press_tv_seed_loses_read_more_lines_and_keeps_every_sentence() -> None:
    raw = SEED_PRESS_TV.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert "Read more" not in cleaned.text
    assert [rule for rule, _ in cleaned.removed] == ["read-more", "read-more"]
    assert cleaned.text.startswith("Damascus and Tehran have reaffirmed their support")
    assert "Earlier attempts by the US to broker such a long-lasting ceasefire had failed." in cleaned.text
    assert cleaned.text.endswith("battling foreign-backed militancy since 2011.")
    assert len(cleaned.text.splitlines()) == 12  # paragraphs kept, debris lines gone


def test_press_tv_seed_is_flagged_as_cut_off() -> None:
    cleaned = clean_text(SEED_PRESS_TV.read_text(encoding="utf-8"))
    assert cleaned.truncation_reason is not None
    assert "2048 bytes" in cleaned.truncation_reason


def test_tehran_times_seed_loses_licence_footer_and_sign_off() -> None:
    cleaned = clean_text(SEED_TEHRAN_TIMES.read_text(encoding="utf-8"))
    assert "Creative Commons" not in cleaned.text
    assert "MH/PA" not in cleaned.text
    assert "Mehr News Agency" not in cleaned.text
    assert cleaned.text.endswith("to cement and monitor the ceasefire.")
    assert cleaned.removed[0][0] == "licence"
    assert "MH/PA" in cleaned.removed[0][1]
    assert cleaned.truncation_reason is None


def test_unicode_quotes_dashes_and_spaces_are_folded() -> None:
    assert normalize_unicode("Iran’s “key”\u00a0role – now\u200b") == 'Iran\'s "key" role - now'


def test_debris_lines_of_several_kinds_are_removed_and_recorded() -> None:
    raw = "\n".join(
        [
            "Quake kills 12 in southern Iran",
            "Related: Earlier quakes in the region",
            "Share this article",
            "ADVERTISEMENT",
            "Rescue teams reached the village on Monday.",
            "Subscribe to our daily newsletter for updates",
            "Photo: Reuters",
            "Copyright 2017 Example News. All rights reserved.",
        ]
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "Quake kills 12 in southern Iran\nRescue teams reached the village on Monday."
    assert {rule for rule, _ in cleaned.removed} == {
        "related", "share-prompt", "advertisement", "subscribe-prompt", "photo-credit", "copyright",
    }  # fmt: skip


def test_sentences_that_merely_mention_debris_words_are_kept() -> None:
    raw = "Copyright law changed in 2019 after a long fight.\nRead more closely, the deal gives Iran little."
    assert clean_text(raw).text == raw


def test_footer_glued_to_a_long_text_goes_but_a_mid_text_line_alike_stays() -> None:
    body = "The talks ended without a deal. " * 200
    footer = "MH/PA This article is licensed under a Creative Commons Attribution 4.0 licence."
    cleaned = clean_text(body + footer)
    assert cleaned.text == body.strip()
    assert [rule for rule, _ in cleaned.removed] == ["licence"]
    # Only the end is furniture: the same words inside the text cut nothing after them.
    middle = "The court met. " * 15 + "All rights reserved to the families were upheld.\nTalks resume on Monday."
    assert clean_text(middle).text == middle


def test_every_tail_rule_marker_is_text_its_pattern_requires() -> None:
    # A marker absent from every match would silently switch its rule off.
    for rules in TAIL_RULES.values():
        for name, (marker, pattern) in rules.items():
            assert marker in pattern, name
    body = "The talks ended without a deal. " * 10  # one long line: not a debris line, a tail
    footer = "This story is licensed under a Creative Commons licence."
    assert clean_text(body + footer).removed == (("licence", footer),)
    assert clean_text(body + footer.replace("Creative Commons", "Creative commons")).removed == ()


def test_text_ending_mid_sentence_is_flagged() -> None:
    assert clean_text("The minister said that the talks would").truncation_reason == "the text ends mid-sentence"
    assert clean_text("The talks ended.").truncation_reason is None


def test_french_rules_apply_to_french_text() -> None:
    cleaned = clean_text("Le séisme a fait 12 morts.\nLire aussi : les séismes en Iran", language="fr")
    assert cleaned.text == "Le séisme a fait 12 morts."


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        (None, "Posted: May 24, 2005\nThe NCAA said ...", dt.date(2005, 5, 24)),
        ("Fire at Waitrose", "22 July 2013 Last updated at 17: 50 GMT\nA man was charged ...", dt.date(2013, 7, 22)),
        ("Quake", "Ten people are killed.\nWASHINGTON, DC, April 28, 2009\nThe quake ...", dt.date(2009, 4, 28)),
        (None, "Updated 5 / 5 / 2010 1: 41 PM\nThree people died ...", dt.date(2010, 5, 5)),  # month first
        (None, "Article posted on 08. 07. 2012\nKlitschko stops Thompson", dt.date(2012, 7, 8)),  # day first
        ("27 / 09 / 2013 - Turkmenistan to hold elections", "Parliamentary elections ...", dt.date(2013, 9, 27)),
        ("PUBLISHED: WEDNESDAY, MARCH 13, 2013, 12: 38 AM", "A vigil ...", dt.date(2013, 3, 13)),
        ("Reid enters rehab", "Reid checked herself in on Tuesday, December 9, 2008.\nHer rep said ...", None),
        ("Page dies", "Page was born on April 22, 1923, in Nashville, Tenn.", None),
        ("Quake", "It struck on 31 / 02 / 2010, officials said", None),  # no such day
    ],
)
def test_dateline_at_the_head_of_an_article(title: str | None, head: str, expected: dt.date | None) -> None:
    assert dateline(title, head) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"Iran\'s envoy" met al-Assad (Damascus) on Thursday.',
        "The Colts' 10,000 fans; 6.1-magnitude quake -- U.S. e-mail g20 1990s x_y _lead trail_ 'quoted'",
        "Straße İstanbul naïve ÉCOLE 東京 ١٢٣ 2017-01-26 3.5% $5.5bn end.",
        "tabs\tand\u00a0spaces\u2003and\x1cseparators",
        "",
    ],
)
def test_words_finds_what_the_word_pattern_finds_in_the_whole_text(text: str) -> None:
    # `words` splits at whitespace first and runs the pattern only on tokens that are not plain words.
    assert words(text) == _WORD.findall(text.lower())


def test_words_finds_what_the_word_pattern_finds_in_the_sample() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((SAMPLE / "articles").glob("*.txt"))]
    assert texts
    assert all(words(text) == _WORD.findall(text.lower()) for text in texts)
