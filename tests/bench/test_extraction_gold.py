from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module():  # bench/ is a folder of scripts, not a package
    spec = importlib.util.spec_from_file_location("make_extraction_gold", ROOT / "bench" / "make_extraction_gold.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gold():
    return _module()


def test_gold_file_is_well_formed(gold) -> None:
    rows = gold.load()
    assert gold.validate(rows) == []
    assert sum(len(r["entities"]) for r in rows) >= 300
    langs = Counter(r["lang"] for r in rows)
    assert {"en", "vi", "th", "zh", "id", "tl"} <= set(langs)


def test_gold_file_matches_its_generator(gold) -> None:
    assert gold.load() == [gold.build(*p) for p in gold.POSTS]


def test_spans_are_exact_evidence(gold) -> None:
    for row in gold.load():
        for e in row["entities"]:
            assert row["text"][e["start"]:e["end"]].strip() == row["text"][e["start"]:e["end"]], (row["id"], e)


def test_wallet_generators_are_checksum_valid(gold) -> None:
    from pipeline.extractors.wallets import valid_bech32, valid_btc_base58, valid_evm, valid_tron

    w = gold.WALLETS
    assert valid_tron(w["$TRON1"])
    assert valid_evm(w["$EVM1"])
    assert w["$EVM1"] != w["$EVM1"].lower()  # EIP-55 mixed case
    assert valid_btc_base58(w["$BTC1"])
    assert valid_bech32(w["$BECH1"])
