"""E-mail intake: parsing inbound mail, loop protection and ticket threading."""
