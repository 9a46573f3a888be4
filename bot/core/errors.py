"""Domain errors. Each carries an Indonesian message that can be shown to users as is."""


class DomainError(Exception):
    """A rule of the helpdesk was broken; ``user_message`` is polite Indonesian for the user."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotAllowed(DomainError):
    """The actor lacks the role the action needs."""


class InvalidTransition(DomainError):
    """The ticket's status does not allow the action."""


class TicketNotFound(DomainError):
    """No ticket with that number exists."""


class TicketClosedForGood(DomainError):
    """The ticket was closed too long ago to be reopened; a new ticket is needed."""


class UnknownSop(DomainError):
    """The SOP id is not in the catalog."""


class ConcurrentUpdate(RuntimeError):
    """The ticket was changed by someone else after it was read; the change is run again."""


class ConfigError(ValueError):
    """A configuration file (catalog, roster) is malformed; the message names file and field."""
