"""Helpers shared by the back-office tests."""

from html.parser import HTMLParser

from django.contrib.messages import get_messages

from tests.factories import MembershipFactory


def sign_in(client, company, role="owner"):
    """Sign a new member of `company` with `role` in to the back office."""
    membership = MembershipFactory(company=company, role=role)
    client.force_login(membership.user)
    return membership.user


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class _FormFields(HTMLParser):
    """The fields of one form, as a browser sends them when it is submitted."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        if not self.inside or "disabled" in found:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in found:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((name, found.get("value", default)))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((found.get("value", ""), "selected" in found))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            first = [value for value, _selected in self._options[:1]]
            if chosen or first:
                self.fields.append((self._select, (chosen or first)[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def browser_form_data(html: str, form_id: str) -> list[tuple[str, str]]:
    """Every (name, value) a browser posts from the page's form `form_id`:
    hidden inputs and an inline's empty template row included."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.fields
