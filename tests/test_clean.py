"""Cleaning of already-extracted text, on the seeds and on made-up debris."""

from __future__ import annotations

from conftest import SEED_PRESS_TV, SEED_TEHRAN_TIMES
from storyweave.clean import clean_text, normalize_unicode


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


def test_text_ending_mid_sentence_is_flagged() -> None:
    assert clean_text("The minister said that the talks would").truncation_reason == "the text ends mid-sentence"
    assert clean_text("The talks ended.").truncation_reason is None


def test_french_rules_apply_to_french_text() -> None:
    cleaned = clean_text("Le séisme a fait 12 morts.\nLire aussi : les séismes en Iran", language="fr")
    assert cleaned.text == "Le séisme a fait 12 morts."
