"""How an email address appears anywhere but in the email itself: masked.

Logs, the notification log, an error's text: an operator reading them needs to recognise a
recipient ("y***@e***.com" is the one who asked at 10:02), not to learn the address. A hash
would not do instead: addresses are few enough to guess, so an unkeyed hash names its address
to anyone who tries, and a keyed one needs a secret the stack would have to keep and grant.
"""

from __future__ import annotations

#: What stands for the hidden characters: always the same, so a masked form says nothing of
#: the address's length.
HIDDEN = "***"


def masked_address(address: str) -> str:
    """The address's first character, and its domain's first character and last label:
    "you@example.com" is "y***@e***.com". Anything without an `@` is hidden whole."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return HIDDEN
    _, dot, top = domain.rpartition(".")
    masked_domain = f"{domain[0]}{HIDDEN}" + (f".{top}" if dot and top else "")
    return f"{local[0]}{HIDDEN}@{masked_domain}"
