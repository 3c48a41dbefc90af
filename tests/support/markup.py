"""A small HTML reader for page tests: elements by tag and attribute, and their text as a reader sees it.

Built on the standard library's HTMLParser, so the tests need no extra dependency. Entities are
decoded in text and attribute values, and text is whitespace-normalised. At the end, what a page
says that many tests read: the level it shows and its error summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.test import TestResponse

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


@dataclass(eq=False)
class Element:
    """One element of a page, with its attributes and its content."""

    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = field(default=None, repr=False)
    children: list[Element | str] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        """The text inside the element, with runs of whitespace made one space."""
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw_text() for c in self.children)

    @property
    def classes(self) -> list[str]:
        """The element's class names."""
        return (self.attrs.get("class") or "").split()

    def get(self, name: str) -> str | None:
        """An attribute's value (None when absent or given without a value)."""
        return self.attrs.get(name)

    def has(self, name: str) -> bool:
        """Whether the attribute is present at all (like `checked`)."""
        return name in self.attrs

    def descendants(self) -> Iterator[Element]:
        """Every element inside this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """Elements inside this one with the tag, class and attribute values given.

        Attribute names are written as Python names: `for_` is `for`, `aria_describedby` is
        `aria-describedby`.
        """
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            el
            for el in self.descendants()
            if (tag is None or el.tag == tag)
            and (cls is None or cls in el.classes)
            and all(el.attrs.get(name) == value for name, value in wanted.items())
        ]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        """The only element matching; fails the test when there is none or more than one."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'}> {cls or ''} {attrs}, found {len(found)}"
        return found[0]

    def link(self, text: str) -> Element:
        """The only link whose text is `text`."""
        found = [a for a in self.find_all("a") if a.text == text]
        assert len(found) == 1, f"expected one link {text!r}, found {[a.text for a in self.find_all('a')]}"
        return found[0]


class Document(Element):
    """A parsed page."""

    @property
    def title(self) -> str:
        """The text of <title>."""
        return self.one("title").text

    @property
    def html(self) -> Element:
        """The <html> element."""
        return self.one("html")

    @property
    def main(self) -> Element:
        """The <main> element: the page's own content, without the header and footer."""
        return self.one("main")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.document = Document("#document", {})
        self.open: list[Element] = [self.document]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, dict(attrs), parent=self.open[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(markup: str) -> Document:
    """Read a page."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    return builder.document


# --- what a page says ------------------------------------------------------------------------------


def items(listing: Element) -> list[Element]:
    """The list's own items, not those of a list inside one of them."""
    return [child for child in listing.children if isinstance(child, Element) and child.tag == "li"]


def told(item: Element) -> str:
    """A reason as the engine words it, from the item that shows it: its own text, then, for a told
    reason ("You told us:" and a list of facts), "\n- " and each fact."""
    lead = " ".join(
        "".join(c if isinstance(c, str) else c._raw_text() for c in item.children if not _is_list(c)).split()
    )
    facts = [fact.text for listing in item.children if _is_list(listing) for fact in items(listing)]  # type: ignore[arg-type]
    return lead + "".join(f"\n- {fact}" for fact in facts)


def reasons_shown(listing: Element) -> list[str]:
    """The reasons a list shows, each as the engine words it (see told)."""
    return [told(item) for item in items(listing)]


def _is_list(node: Element | str) -> bool:
    return isinstance(node, Element) and node.tag == "ul"


def level_shown(document: Document) -> str:
    """The level a result, urgent-advice or phone page shows, from its `level--<id>` class."""
    banners = [c for el in document.find_all(cls="level") for c in el.classes if c.startswith("level--")]
    assert len(banners) == 1, f"expected one level banner, found {banners}"
    return banners[0].removeprefix("level--")


def error_summary(document: Document) -> list[str]:
    """The messages of the page's error summary (empty when there is none)."""
    return [li.text for summary in document.find_all(cls="error-summary") for li in summary.find_all("li")]


def problems(response: TestResponse) -> list[str]:
    """The messages of a response's error summary (none when the response is not a page)."""
    if response.mimetype != "text/html":
        return []
    return error_summary(parse(response.text))


def answers_offered(document: Document, question_id: str) -> list[str]:
    """The labels of a question's radio buttons or checkboxes, in order."""
    ids = [el.get("id") for el in document.find_all("input", name=question_id)]
    return [
        label.text for label in document.find_all("label", cls="choice__label") if label.get("for") in ids
    ]
