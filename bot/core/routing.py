"""Which role a new ticket goes to."""

from bot.core.roles import DEFAULT_ROLE
from bot.core.sop import Sop


def route_for(sop: Sop | None) -> str:
    """The owner role of a new ticket: the role of its SOP's first office step, or
    ``helpdesk``. A question never goes to an outside party (ULP, LKPP) before staff have
    seen it, whatever FAQ entry it resembles: staff forward it from the card."""
    if sop is not None:
        return sop.responsible_role(sop.first_office_step().n)
    return DEFAULT_ROLE
