"""Channel-agnostic domain core: tickets, SOP steps, routing, roster and working time.

Nothing in this package imports Telegram, SMTP or SQLAlchemy code.
"""
