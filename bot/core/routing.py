"""Which role a new ticket goes to."""

from bot.core.roles import ALL_ROLES, DEFAULT_ROLE
from bot.core.sop import Sop


def route_for(sop: Sop | None, faq_route: str | None = None) -> str:
    """The owner role of a new ticket.

    In order: the route of the FAQ entry closest to the question (the KB knows that a protest
    goes to ULP), the role of the SOP's first office step, or ``helpdesk``.
    """
    if faq_route in ALL_ROLES:
        return str(faq_route)
    if sop is not None:
        return sop.responsible_role(sop.first_office_step().n)
    return DEFAULT_ROLE
