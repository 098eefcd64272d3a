"""Identifier extractors: one module per family, each a registered spaCy component.

:data:`COMPONENTS` is the order they run in on one blank ``xx`` pipeline: later components
see what earlier ones found (phones skip digits inside URLs, e-mails and wallets; money
skips phone numbers; a bare ``@handle`` is not Telegram when it is part of an e-mail).
Importing this package registers every factory.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.extractors import ages, emails, locations, messaging, money, phones, urls, wallets
from pipeline.extractors.base import CHARS_KEY, FOUND_KEY, SPANS_KEY, Found, Hints

COMPONENTS = ("lurewatch_urls_v1", "lurewatch_emails_v1", "lurewatch_wallets_v1", "lurewatch_messaging_v1",
              "lurewatch_phones_v1", "lurewatch_money_v1", "lurewatch_ages_v1", "lurewatch_locations_v1")

#: Entity types, in the vocabulary of ``lurewatch extract`` and ``Record.entities``.
ENTITY_TYPES = ("phone", "whatsapp", "telegram", "line", "wechat", "zalo", "messenger", "email", "url",
                "crypto_wallet", "money", "age", "location")

#: The entity types each component finds.
FINDS = {"lurewatch_urls_v1": ("url",), "lurewatch_emails_v1": ("email",), "lurewatch_wallets_v1": ("crypto_wallet",),
         "lurewatch_messaging_v1": ("telegram", "whatsapp", "line", "wechat", "zalo", "messenger"),
         "lurewatch_phones_v1": ("phone",), "lurewatch_money_v1": ("money",), "lurewatch_ages_v1": ("age",),
         "lurewatch_locations_v1": ("location",)}


def components_for(types: Iterable[str]) -> int:
    """How many of :data:`COMPONENTS` (from the first) to run to find every identifier of
    ``types``: up to the last component finding one of them. A component reads only what
    earlier ones found, so those it runs find exactly what they find in the whole pipeline."""
    wanted = set(types)
    return max((i + 1 for i, name in enumerate(COMPONENTS) if wanted.intersection(FINDS[name])), default=0)


__all__ = ["CHARS_KEY", "COMPONENTS", "ENTITY_TYPES", "FINDS", "FOUND_KEY", "SPANS_KEY", "Found", "Hints", "ages",
           "components_for", "emails", "locations", "messaging", "money", "phones", "urls", "wallets"]

