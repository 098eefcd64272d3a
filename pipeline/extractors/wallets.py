"""Crypto wallet addresses (taxonomy ENT-09), value as written; only checksum-valid ones.

- TRON: ``T…`` (34 chars) Base58Check whose payload is 21 bytes starting 0x41.
- EVM: ``0x`` + 40 hex; mixed case must pass the EIP-55 checksum (Keccak-256 from
  pycryptodome: hashlib's ``sha3_256`` is the FIPS variant); all lower / all upper accepted.
- Bitcoin: Base58Check P2PKH/P2SH (version 0x00/0x05, 25 bytes; the ``base58`` package);
  bech32 (witness v0) and bech32m (v1+) ``bc1…`` with their checksum (BIP-173/BIP-350; the
  reference algorithm, written out here: the ``bech32`` package predates bech32m).

Registers ``lurewatch_wallets_v1``. Extra: ``chain`` (tron, evm, bitcoin).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import base58
from Crypto.Hash import keccak
from spacy.language import Language

from pipeline.extractors.base import NO_HINTS, FinderComponent, Found, Hints
from pipeline.extractors.literals import Prechecked

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_TRON = Prechecked(re.compile(rf"(?<![\w/])T[{_B58}]{{33}}(?![\w])"))
_EVM = Prechecked(re.compile(r"(?<![\w/])0x[0-9a-fA-F]{40}(?![\w])"))
_BTC58 = Prechecked(re.compile(rf"(?<![\w/])[13][{_B58}]{{25,34}}(?![\w])"))
_BECH32 = Prechecked(re.compile(r"(?<![\w/])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87}(?![\w])"))


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the original padding, not SHA3-256's)."""
    return keccak.new(digest_bits=256, data=data).digest()


def valid_evm(addr: str) -> bool:
    """EIP-55: an address in one case is accepted; in mixed case, each letter is upper case
    exactly where the Keccak-256 of the lower-case address has a hex digit of 8 or more."""
    body = addr[2:]
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak256(body.lower().encode("ascii")).hex()
    return all(ch == (ch.upper() if int(h, 16) >= 8 else ch.lower())
               for ch, h in zip(body, digest, strict=False) if ch.isalpha())


# ---------------------------------------------------------------- Base58Check / bech32


def _b58check(addr: str) -> bytes | None:
    try:
        return bytes(base58.b58decode_check(addr))
    except ValueError:
        return None


def valid_tron(addr: str) -> bool:
    payload = _b58check(addr)
    return payload is not None and len(payload) == 21 and payload[0] == 0x41


def valid_btc_base58(addr: str) -> bool:
    payload = _b58check(addr)
    return payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05)


_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def valid_bech32(addr: str) -> bool:
    """BIP-173 (witness v0, bech32) / BIP-350 (v1+, bech32m) checksum and program length."""
    if addr != addr.lower() and addr != addr.upper():
        return False
    addr = addr.lower()
    hrp, _, data_part = addr.rpartition("1")
    if hrp != "bc" or len(data_part) < 7 or any(c not in _CHARSET for c in data_part):
        return False
    data = [_CHARSET.index(c) for c in data_part]
    const = _polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    version = data[0]
    if const != (_BECH32_CONST if version == 0 else _BECH32M_CONST) or version > 16:
        return False
    nbits = (len(data) - 7) * 5
    prog_len = nbits // 8
    if nbits % 8 >= 5:
        return False
    return (prog_len in (20, 32)) if version == 0 else 2 <= prog_len <= 40


def find_wallets(text: str, hints: Hints = NO_HINTS, found: Sequence[Found] = ()) -> Iterator[Found]:
    checks = ((_TRON, valid_tron, "tron"), (_EVM, valid_evm, "evm"), (_BTC58, valid_btc_base58, "bitcoin"),
              (_BECH32, valid_bech32, "bitcoin"))
    for rx, valid, chain in checks:
        for m in rx.finditer(text, hints.folded):
            if valid(m.group(0)):
                yield Found("crypto_wallet", m.group(0), m.start(), m.end(), {"chain": chain})


@Language.factory("lurewatch_wallets_v1")
def make_wallets(nlp: Language, name: str) -> FinderComponent:
    return FinderComponent(find_wallets)
