"""Find every POST form the app renders, so fuzz and XSS tests cover new areas by themselves."""
from html.parser import HTMLParser
from urllib.parse import urlsplit


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self.current)
        elif self.current is not None and tag in {"input", "textarea", "select"}:
            name = attrs.get("name")
            if not name or name == "csrf_token":
                return
            kind = attrs.get("type", "text") if tag == "input" else tag
            self.current["fields"][name] = {"kind": kind, "value": attrs.get("value", ""),
                                            "options": []}
            self.select = self.current["fields"][name] if tag == "select" else None
        elif tag == "option" and self.select is not None:
            self.select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def post_forms(html, page_url):
    """[{'action': url, 'fields': {name: {kind, value, options}}}] of the page's POST forms."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        action = form["action"] or page_url
        form["action"] = urlsplit(action).path + (
            "?" + urlsplit(action).query if urlsplit(action).query else "")
    return parser.forms
