"""The one kind of error a person is shown."""


class ActionRefused(Exception):
    """A business action refused, for a reason written for the person who asked
    (through gettext, in their language). Every service's refusal is one: the
    back office shows its message on the page that asked
    (`companies.admin_site`), a portal view as a form error."""
