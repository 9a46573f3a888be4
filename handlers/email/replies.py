"""Every SMTP reply the intake server gives, in one place (tests assert against these)."""

from typing import Final

OK: Final = "250 2.0.0 OK: message stored"
RECIPIENT_OK: Final = "250 2.1.5 OK"
# RFC 5321 4.2.1: 4yz is transient (the sender keeps the mail and retries), 5yz permanent.
TRY_AGAIN_LATER: Final = "451 4.3.0 Temporary failure storing the message, please retry"
RECIPIENT_UNKNOWN: Final = "550 5.1.1 Recipient not accepted here (no relaying)"
