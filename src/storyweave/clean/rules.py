"""Scrape-debris rules, as data: regular expressions per language, all in one place.

`LINE_RULES` match a whole line (after trimming) that is page furniture rather than article
text. `TAIL_RULES` match furniture glued to the end of the text, such as a licence footer or
an editor's sign-off that a scraper joined to the last paragraph; each must match at most 400
characters, because only the text's last 500 are searched. A tail rule is a pair: a marker, text
that any match contains (case-sensitive; "" for none), and the pattern. The pattern is searched
only in a tail that holds the marker: a substring test costs next to nothing, while the search
of a pattern with a lookbehind and a long optional run costs as much as the rest of cleaning.
Each rule has a name, which is recorded with what it removed so that a user can see why a piece
went.

Add a language by adding a key; "*" applies to every language.
"""

from __future__ import annotations

LINE_RULES: dict[str, dict[str, str]] = {
    "*": {
        "bare-link": r"https?://\S+",
        "separator": r"[-_=*•·.]{3,}",
        "share-buttons": r"(?:(?:facebook|twitter|x|whatsapp|telegram|linkedin|reddit|email|print)\W*){2,}",
    },
    "en": {
        "read-more": r"(?:read|see|click here for|watch) (?:more|also|the full story)\b"
        r"(?:\s*[:»|>-]\s*.{0,120}|[^.!?]{0,120})",
        "related": r"(?:related|recommended|more on this|more from \w+|you may also like|also read)"
        r"(?: (?:articles?|stories|content|coverage|topics|news))?\s*(?:[:»|>]\s*.{0,120})?",
        "share-prompt": r"(?:share|tweet|email|print|save)(?: this| the)?(?: article| story| page| post)?"
        r"(?: on \w+)?\s*[:!]?",
        "subscribe-prompt": r"(?:subscribe|sign up|register)\b.{0,80}\b(?:newsletter|updates|"
        r"alerts|inbox|channel)\b.{0,60}",
        "follow-prompt": r"follow (?:us|\w+) on (?:twitter|facebook|instagram|x|telegram|tiktok)\b.{0,60}",
        "advertisement": r"(?:advertisement|sponsored(?: content)?|ad feedback|skip advert(?:isement)?)",
        "photo-credit": r"(?:photo|image|picture|file photo|video)(?: credit)?\s*[:/|]\s*.{0,80}"
        r"\b(?:getty|reuters|ap|afp|epa|anadolu|shutterstock|images?|photo)\b.{0,40}",
        "copyright": r"(?:©|\(c\)|copyright\s*(?:©|\(c\)|(?:19|20)\d\d))\s*.{0,120}",
        "all-rights": r".{0,120}\ball rights reserved\b.{0,40}",
        "licence": r".{0,160}\bis licensed under (?:a |the )?creative commons\b.{0,120}",
        "comments": r"(?:\d+\s+)?comments?|leave a (?:comment|reply)|comment on this (?:story|article)",
        "story-continues": r"story continues below(?: advertisement)?",
    },
    "fr": {
        "read-more": r"(?:lire (?:aussi|la suite|plus)|voir aussi)\b.{0,120}",
        "copyright": r"(?:©|\(c\))\s*.{0,120}|.{0,120}\btous droits réservés\b.{0,40}",
    },
    "de": {
        "read-more": r"(?:mehr (?:lesen|zum thema)|weiterlesen|lesen sie auch)\b.{0,120}",
        "copyright": r"(?:©|\(c\))\s*.{0,120}|.{0,120}\balle rechte vorbehalten\b.{0,40}",
    },
    "es": {
        "read-more": r"(?:leer más|lea también|ver también|más información)\b.{0,120}",
        "copyright": r"(?:©|\(c\))\s*.{0,120}|.{0,120}\btodos los derechos reservados\b.{0,40}",
    },
}

TAIL_RULES: dict[str, dict[str, tuple[str, str]]] = {
    "*": {
        # An editor's initials closing a wire story ("MH/PA", "AFP/RN"), glued to the last line.
        "sign-off": ("/", r"(?<=[.!?\"'])\s*\b[A-Z]{1,5}(?:/[A-Z]{1,5}){1,3}\s*$"),
    },
    "en": {
        "licence": (
            "Creative Commons",
            r"(?<=[.!?\"'])\s*(?:\b[A-Z]{1,5}(?:/[A-Z]{1,5}){1,3}\s+)?[^.!?\n]{0,160}"
            r"\bis licensed under (?:a |the )?Creative Commons\b[^\n]{0,160}$",
        ),
        "all-rights": ("All rights reserved", r"(?<=[.!?\"'])\s*[^.!?\n]{0,160}\bAll rights reserved\b[^\n]{0,80}$"),
        "copyright": ("", r"(?<=[.!?\"'])\s*(?:©|Copyright ©?)\s*(?:19|20)\d\d\b[^\n]{0,160}$"),
    },
}
