"""What the Content-Security-Policy would block in a page, found in its HTML (html.parser, no browser).

The policy (iom/settings.py ``CONTENT_SECURITY_POLICY``) allows scripts and styles only from the service's own
files, so a page must have none of: an inline ``<script>`` that runs (a ``json_script`` data block,
``type="application/json"``, is data and never runs), a ``<style>`` element, a ``style="…"`` attribute, an
``on…=`` event handler attribute, or a ``javascript:`` address. Nor may it load a script, style sheet, image,
frame or form target from another site: every resource is a path on this one.
"""

from html.parser import HTMLParser

# <script> types that a browser does not run: data blocks.
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})
# Attributes naming something the page loads (or sends a form to), by element.
RESOURCE_ATTRIBUTES = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "form": "action",
    "object": "data",
    "embed": "src",
}


class InlineCode(HTMLParser):
    """Collects every problem as a sentence naming the element (``problems``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_open: str | None = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        shown = self.get_starttag_text() or f"<{tag}>"
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"a style attribute: {shown}")
            elif name.startswith("on"):
                self.problems.append(f"an event handler attribute ({name}): {shown}")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: address: {shown}")
        if tag == "style":
            self.problems.append(f"a <style> element: {shown}")
        if tag == "script" and "src" not in values:
            kind = values.get("type", "").strip().lower()
            self._script_open = None if kind in DATA_SCRIPT_TYPES else shown
        address = values.get(RESOURCE_ATTRIBUTES.get(tag, ""), "")
        if tag == "link" and "stylesheet" not in values.get("rel", "").split() and values.get("rel") != "icon":
            address = ""  # a <link rel="canonical"> and the like load nothing
        if is_another_site(address):
            self.problems.append(f"a resource from another site: {shown}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_open = None

    def handle_data(self, data):
        if self._script_open is not None and data.strip():
            self.problems.append(f"an inline script: {self._script_open}{data.strip()[:60]}…")
            self._script_open = None


def is_another_site(address: str) -> bool:
    """An absolute or scheme-relative address (``https://…``, ``//…``): not a path on this site."""
    address = address.strip().lower()
    return address.startswith(("//", "http:", "https:"))


def inline_code_in(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems
