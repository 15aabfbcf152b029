"""The story view as text, Markdown or a self-contained HTML page (JSON is `StoryView.to_dict`)."""

from __future__ import annotations

import html
import json
from typing import Any

FORMATS = ("text", "markdown", "json", "html")


_NAMED_SOURCES = 8  # a wire story's fact can cite a hundred outlets; the Sources section lists them all


def _sources(items: list[str]) -> str:
    """The outlets citing an item, the first few by name.

    >>> _sources([f"outlet{n}" for n in range(11)])
    'outlet0, outlet1, outlet2, outlet3, outlet4, outlet5, outlet6, outlet7 and 3 more'
    """
    named = ", ".join(items[:_NAMED_SOURCES])
    return named if len(items) <= _NAMED_SOURCES else f"{named} and {len(items) - _NAMED_SOURCES} more"


def _cited(item: dict[str, Any]) -> str:
    return f"{item['text']} [{_sources(item['sources'])}]"


def _when(entry: dict[str, Any]) -> str:
    return entry["date"] + (f" to {entry['end']}" if entry.get("end") else "")


def _event_line(event: dict[str, Any]) -> str:
    parts = [event["actor"], event["action"], event["target"] or "-", event["place"] or "-", event["date"] or "-"]
    return " | ".join(parts) + f"  [{_sources(event['sources'])}]"


def _publication(source: dict[str, Any]) -> str:
    date = source["published_at"] or "date unknown"
    inferred = f" (inferred: {source['published_inferred']})" if source["published_inferred"] else ""
    marks = " first" if source["first"] else ""
    copy = f", copy of {source['copy_of']}" if source["copy_of"] else ""
    # An article with no known outlet is cited by its id, in the facts as here.
    return f"{source['source'] or source['article_id']}: {date}{inferred}{marks}{copy}"


def _conflict_line(conflict: dict[str, Any]) -> str:
    return f"{conflict['kind']}: " + "; ".join(f"{v['source']} says {v['value']}" for v in conflict["values"])


def _entity_line(entity: dict[str, Any]) -> str:
    others = [v for v in entity["variants"] if v != entity["name"]]
    also = f", also {', '.join(others)}" if others else ""
    roles = f"; {'; '.join(entity['roles'])}" if entity["roles"] else ""
    return f"{entity['name']} ({entity['kind']}){also}{roles}"


def _sections(view: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The view's sections as (heading, lines), shared by the text and Markdown forms."""
    facts = view["facts"]
    return [
        ("Summary", [_cited(s) for s in view["summary"]]),
        ("Sources", [_publication(s) for s in view["sources"]]),
        ("Corroborated", [_cited(f) for f in facts if f["status"] == "corroborated"]),
        ("Reported by one source", [_cited(f) for f in facts if f["status"] == "unique"]),
        ("Conflicts", [_conflict_line(c) for c in view["conflicts"]]),
        ("Timeline", [f"{_when(t)}: {_cited(t)}" for t in view["timeline"]]),
        ("Events (actor | action | target | place | date)", [_event_line(e) for e in view["events"]]),
        ("Entities", [_entity_line(e) for e in view["entities"]]),
    ]  # fmt: skip


def as_text(view: dict[str, Any]) -> str:
    lines = [view["title"], "=" * len(view["title"])]
    for heading, items in _sections(view):
        lines += ["", heading + ":"] + [f"  - {item}" for item in items or ["none"]]
    return "\n".join(lines)


def as_markdown(view: dict[str, Any]) -> str:
    lines = [f"# {view['title']}"]
    for heading, items in _sections(view):
        lines += ["", f"## {heading}", ""] + [f"- {item}" for item in items or ["none"]]
    return "\n".join(lines)


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.src{color:#555;font-size:.85rem}.corroborated{border-left:4px solid #2a7;padding-left:.6rem}
.unique{border-left:4px solid #c93;padding-left:.6rem}.conflict{border-left:4px solid #c33;padding-left:.6rem}
li{margin:.35rem 0}"""


def as_html(view: dict[str, Any]) -> str:
    esc = html.escape
    body = [f"<h1>{esc(view['title'])}</h1>"]
    for heading, items in _sections(view):
        kind = {"Corroborated": "corroborated", "Reported by one source": "unique", "Conflicts": "conflict"}.get(
            heading, ""
        )
        rows = "".join(f'<li class="{kind}">{_cite(esc(item))}</li>' for item in items) or "<li>none</li>"
        body.append(f"<h2>{esc(heading)}</h2><ul>{rows}</ul>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(view["title"])}</title>'
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")  # fmt: skip


def _cite(escaped: str) -> str:
    """Set the trailing [sources] of an item in small type."""
    if escaped.endswith("]") and " [" in escaped:
        text, _, sources = escaped.rpartition(" [")
        return f'{text} <span class="src">[{sources}</span>'
    return escaped


def render(view: dict[str, Any], fmt: str) -> str:
    """The view in one of `FORMATS`."""
    if fmt == "json":
        return json.dumps(view, ensure_ascii=False, indent=2)
    return {"text": as_text, "markdown": as_markdown, "html": as_html}[fmt](view)
