from __future__ import annotations

import pytest

from pipeline.extractors.wallets import find_wallets, keccak256, valid_evm

VALID = [
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "evm"),
    ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "evm"),
    ("0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", "evm"),
    ("0xDBF03B407C01E7CD3CBEA99509D93F8DDDC8C6FB", "evm"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bitcoin"),
    ("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "bitcoin"),
]
INVALID = [
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T",  # one letter changed: Base58Check fails
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # mixed case, EIP-55 fails
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".replace("bc1q", "bc1p"),  # v1 needs bech32m
]


@pytest.mark.parametrize(("addr", "chain"), VALID)
def test_valid_wallets(addr: str, chain: str) -> None:
    text = f"Deposit USDT: {addr}."
    (f,) = find_wallets(text)
    assert (f.value, text[f.start:f.end], f.extra["chain"]) == (addr, addr, chain)


@pytest.mark.parametrize("addr", INVALID)
def test_checksum_invalid_wallets_rejected(addr: str) -> None:
    assert list(find_wallets(f"send to {addr} now")) == []


@pytest.mark.parametrize(("data", "digest"), [
    (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
    (b"a" * 200, "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d"),  # over one 136-byte block
])
def test_keccak256_vectors(data: bytes, digest: str) -> None:
    """Ethereum's Keccak-256 (not SHA3-256, whose digest of b"" is a7ffc6f8…)."""
    assert keccak256(data).hex() == digest


#: EIP-55's own test addresses
EIP55 = ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
         "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]


@pytest.mark.parametrize("addr", EIP55)
def test_eip55_checksums(addr: str) -> None:
    assert valid_evm(addr)
    assert valid_evm(addr.lower())  # one case: no checksum
    assert valid_evm("0x" + addr[2:].upper())
    flipped = next(i for i, ch in enumerate(addr) if i > 1 and ch.isalpha())
    assert not valid_evm(addr[:flipped] + addr[flipped].swapcase() + addr[flipped + 1:])
