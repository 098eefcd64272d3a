"""The array computation of new words' rows (:class:`pipeline.langid._WordRows`) gives the
same sums, to the last bit, as a dictionary lookup per feature."""

from __future__ import annotations

import random

import numpy as np

from pipeline import langid

#: letters of the model, Vietnamese and other scripts, astral letters, letters the model
#: never saw, and numerals _WORD counts as letters ("²", "½")
_CHARS = "abcdeghiklmnopqrstuvwxyzăâđêôơưạảấầếềọỏốồờởụủứừ" "ßıĳǆжщ中ไ" "𝐀𝐁𝒜" "ÆØÞ" "²½"


def _words(rng: random.Random, known: list[str], count: int) -> list[str]:
    words = []
    for _ in range(count):
        r = rng.random()
        if r < 0.3:
            words.append(rng.choice(known))
        elif r < 0.5:
            words.append(rng.choice(known) + rng.choice(_CHARS))
        else:
            words.append("".join(rng.choice(_CHARS) for _ in range(rng.randint(1, 14))))
    return words


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def test_word_rows_equal_the_lookup_per_feature() -> None:
    model = langid.model()
    _langs, index, table, _prior = model._table()
    rows = langid._WordRows(index, table)
    assert rows.usable
    known = [f[2:] for f in index if f.startswith("w:")]
    rng = random.Random(5)
    for size in (1, 2, 7, 8, 9, 20, 60, 300):
        for _ in range(40):
            words = _words(rng, known, size)
            assert _same(rows(words), rows.by_dict(words)), words


def test_unusual_vocabularies_are_looked_up_per_feature() -> None:
    """A model whose features hold astral characters: looked up per feature, same sums."""
    samples = [("𝐀𝐁𝐂 abc def ghi jkl", "en"), ("abc xyz 𝒜𝒜 mno", "vi"), ("pqr abc", "id"), ("stu vwx", "ms"),
               ("yza bcd", "tl")]
    model = langid.NaiveBayes.train(samples)
    _langs, index, table, _prior = model._table()
    rows = langid._WordRows(index, table)
    assert not rows.usable
    words = ["𝐀𝐁𝐂", "abc", "𝒜x", "zzz"] * 3
    assert _same(rows(words), rows.by_dict(words))
    text = "𝐀𝐁𝐂 abc, 𝒜𝒜! mno xyz 123 " * 4
    expected = model._feature_scores(text)
    got = model.scores(text)
    for lang, value in expected.items():
        assert abs(got[lang] - value) <= 1e-9 * abs(value)


def test_scores_do_not_depend_on_what_the_caches_hold() -> None:
    """The same scores, bit for bit, whether the tokens are new or kept, in any order."""
    model = langid.model()
    _langs, index, _table, _prior = model._table()
    known = [f[2:] for f in index if f.startswith("w:")]
    rng = random.Random(11)
    texts = [" ".join(_words(rng, known, rng.randint(1, 80))) + " 12, x.y!" for _ in range(60)]
    first = [model.scores(text) for text in texts]
    model.__dict__.pop("_cached_tokens", None)
    again = [model.scores(text) for text in reversed(texts)][::-1]
    assert first == again
    for text in texts:  # the answer of the feature-by-feature sum
        by_features = model._feature_scores(text)
        assert model.predict(text) == max(by_features, key=lambda lang: by_features[lang])
