"""The fast n-gram counting (:class:`models.tfidf.FastTfidfVectorizer`, the masks of
:func:`models.features.ngram_text`) gives exactly scikit-learn's feature matrix, and the
classifier's probabilities do not change: on random text, on the seed set, with the shipped
model and with a freshly trained one."""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

import models.features as features
import models.tfidf as tfidf
from models.classifier import build_pipeline, slim
from models.features import ModelInput, analyze_chars, char_ngrams, ngram_text
from models.persist import load_model, save_model
from models.tfidf import WORD_PATTERN, FastTfidfVectorizer
from pipeline.posts import signals_of
from pipeline.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "models" / "data" / "seed.jsonl"
SHIPPED = PROJECT_ROOT / "models" / "artifacts" / "lurewatch-clf.skops"

# pieces of text the masks, the tokenizer and the padding care about, in several scripts
FRAGMENTS = [
    "http://", "HTTPS://", "https://t.me/job_88", "Www.", "www.Jobs.VN/apply?x=1", ".com", ".Com", ".vn", ".ſg",
    ".ıd", ".co.th", "a@b.co", "HR.Dept+x@mail-1.example.org", "@tuyendung_88", "@ab", "x@y", "e-mail:",
    "İstanbul", "KELVIN", "ſ", "việc làm", "lương cao 1500$", "CSKH", "งานออนไลน์", "รายได้ดี", "招聘客服",
    "工资高", "nhân viên", "Tuyển gấp", "e\u0301", "_", "__x__", "a_b", "12", "3", "-", "--", ".", "..", ":", "/",
    " ", "  ", "\t", "\n", "\xa0", "\u3000", "\u2028", "\x1c", "\x85", "\u200b", "a", "bb", "ccc", "dd ee",
]
ALPHABET = "abcABCé中文กข่ộ1_-.@:/ \t\nſı\u0301"
pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=ALPHABET, max_size=6), st.text(max_size=4))
texts = st.lists(pieces, max_size=25).map("".join)
corpora = st.lists(texts, min_size=2, max_size=10)


def assert_same(a: Any, b: Any) -> None:
    """The same sparse matrix, bit for bit: shape, dtype, row pointers, column order, values."""
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    assert a.shape == b.shape
    assert a.dtype == b.dtype
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def as_sklearn(vec: TfidfVectorizer) -> TfidfVectorizer:
    """The same fitted vectorizer with scikit-learn's own transform."""
    ref = copy.copy(vec)
    ref.__class__ = TfidfVectorizer
    return ref


def as_fast(vec: TfidfVectorizer) -> FastTfidfVectorizer:
    fast = copy.copy(vec)
    fast.__class__ = FastTfidfVectorizer
    return fast


def word_vectorizer(**kw: Any) -> TfidfVectorizer:
    params: dict[str, Any] = {"preprocessor": ngram_text, "ngram_range": (1, 2), "sublinear_tf": True,
                              "dtype": np.float32}
    return TfidfVectorizer(**{**params, **kw})


def uses_fast_counting(vec: FastTfidfVectorizer) -> bool:
    return vec._fast_counting() is not None


# ---------------------------------------------------------------- the masks and the tokens


def ngram_text_every_mask(text: str) -> str:
    """ngram_text as it was: every mask applied to the lower-cased text."""
    t = text.lower()
    for rx, repl, _ in features._MASKS:
        t = rx.sub(repl, t)
    return t


@settings(max_examples=400, deadline=None)
@given(texts)
def test_ngram_text_applies_masks_as_if_always_tried(text: str) -> None:
    assert ngram_text(text) == ngram_text_every_mask(text)


def test_ngram_text_masks_addresses() -> None:
    text = "Apply: HTTPS://Jobs.Example/x or hr.team@mail.example.org, Telegram @tuyendung_88, site abc.vn/jobs"
    assert ngram_text(text) == ngram_text_every_mask(text)
    assert ngram_text(text).split() == ["apply:", "urltoken", "or", "emailtoken", ",", "telegram", "handletoken",
                                        ",", "site", "domaintoken"]


def _lowered_chars() -> set[str]:
    """Every character a lower-cased text can contain."""
    out: set[str] = set()
    for i in range(sys.maxunicode + 1):
        if not 0xD800 <= i <= 0xDFFF:
            out.update(chr(i).lower())
    return out


def test_quick_tests_of_the_masks_are_exact() -> None:
    # "http" / "www." in the lower-cased text: no other character matches these letters under re.I
    lowered = _lowered_chars()
    for letter in "htpw":
        rx = re.compile(letter, re.I)
        assert [c for c in lowered if rx.fullmatch(c)] == [letter]
    # the domain test is the domain mask's own dot-and-ending, with the same flags
    domain, _, needs = features._MASKS[3]
    assert needs.__self__.flags == domain.flags
    assert needs.__self__.pattern in domain.pattern


def test_no_whitespace_character_is_a_word_character() -> None:
    # a post's tokens are then the tokens of its whitespace-delimited words, in order
    word = re.compile(r"\w")
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()]
    assert len(spaces) > 20
    assert not [c for c in spaces if word.match(c)]
    assert TfidfVectorizer().token_pattern == WORD_PATTERN


@settings(max_examples=300, deadline=None)
@given(texts)
def test_tokens_are_the_words_tokens(text: str) -> None:
    t = ngram_text(text)
    rx = re.compile(WORD_PATTERN)
    assert rx.findall(t) == [tok for w in t.split() for tok in rx.findall(w)]


def test_char_ngrams_are_char_wb() -> None:
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False).build_analyzer()
    for word in ["a", "ab", "abc", "abcd", "abcdefgh", "中", "中文", "งานออนไลน์", "e\u0301"]:
        assert char_ngrams(word) == ref(word)
    text = "Ab  c\tdéf\n中文 x"
    assert analyze_chars(text) == ref(ngram_text(text))


# ---------------------------------------------------------------- vectorizers on random text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, corpora)
def test_word_counting_equals_sklearn(fit_docs: list[str], new_docs: list[str]) -> None:
    fit_docs = [*fit_docs, "việc làm lương cao", "lương cao việc nhẹ", "a bb ccc bb ccc"]
    ref = word_vectorizer().fit(fit_docs)
    fast = FastTfidfVectorizer(**ref.get_params()).fit(fit_docs)
    assert uses_fast_counting(fast)
    assert fast.vocabulary_ == ref.vocabulary_
    docs = [*new_docs, *fit_docs, " ".join(fit_docs[::-1]), "", "  \n"]
    assert_same(fast.transform(docs), ref.transform(docs))
    assert_same(fast.transform(docs[::-1]), ref.transform(docs[::-1]))  # the same words, known now


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, corpora)
def test_char_counting_equals_sklearn(fit_docs: list[str], new_docs: list[str]) -> None:
    fit_docs = [*fit_docs, "abc abd ab", "xyz ab"]
    ref = TfidfVectorizer(analyzer=analyze_chars, sublinear_tf=True, dtype=np.float32).fit(fit_docs)
    wb = TfidfVectorizer(preprocessor=ngram_text, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                         dtype=np.float32).fit(fit_docs)
    assert ref.vocabulary_ == wb.vocabulary_
    fast = as_fast(ref)
    docs = [*new_docs, *fit_docs, "", " "]
    assert_same(fast.transform(docs), ref.transform(docs))
    assert_same(fast.transform(docs), wb.transform(docs))


SETTINGS = [
    {},
    {"ngram_range": (1, 1)},
    {"ngram_range": (2, 2)},
    {"max_features": 7},  # bigrams kept whose words were cut, and the other way round
    {"max_features": 30, "sublinear_tf": False, "norm": None},
    {"binary": True, "use_idf": False, "dtype": np.float64},
    {"norm": "l1", "smooth_idf": False, "min_df": 2},
]


@pytest.mark.parametrize("params", SETTINGS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, corpora)
def test_word_counting_equals_sklearn_for_other_settings(params: dict[str, Any], fit_docs: list[str],
                                                         new_docs: list[str]) -> None:
    fit_docs = [*fit_docs, "việc làm lương cao", "lương cao việc nhẹ", "việc làm online", "a bb ccc bb ccc"]
    ref = word_vectorizer(**params).fit(fit_docs)
    fast = as_fast(ref)
    assert uses_fast_counting(fast)
    docs = [*new_docs, *fit_docs]
    assert_same(fast.transform(docs), ref.transform(docs))


def test_bigram_without_its_words_is_counted() -> None:
    ref = word_vectorizer(vocabulary=["xx yy", "qq", "yy xx"]).fit(["xx yy qq", "yy xx"])
    new = ["xx yy xx yy", "yy xx", "xx\nyy", "xx. yy", "qq q", "xx y yy", "xx", ""]
    fast = as_fast(ref)
    assert_same(fast.transform(new), ref.transform(new))
    counts = fast.transform(new).toarray()
    assert counts[3, 0] > 0  # punctuation between tokens does not break a bigram
    assert counts[5, 0] > 0  # nor does a one-letter word (no token)


def test_other_settings_and_inputs_use_sklearns_counting() -> None:
    docs = ["the job pays well", "the job is online", "Việc làm online"]
    for params in ({"stop_words": ["the"]}, {"ngram_range": (1, 3)}, {"token_pattern": r"\b\w+\b"},
                   {"preprocessor": str.lower}, {"tokenizer": str.split, "token_pattern": None}):
        ref = word_vectorizer(**params).fit(docs)
        fast = as_fast(ref)
        assert not uses_fast_counting(fast)
        assert_same(fast.transform(docs[::-1]), ref.transform(docs[::-1]))
    ref = word_vectorizer().fit(docs)
    mixed = [b"the job pays well", "online job"]
    assert_same(as_fast(ref).transform(mixed), ref.transform(mixed))  # bytes: scikit-learn decodes them
    assert_same(as_fast(ref).transform(iter(docs)), ref.transform(docs))
    for vec in (ref, as_fast(ref)):
        with pytest.raises(ValueError, match="0 sample"):
            vec.transform([])


# ---------------------------------------------------------------- caches


def test_word_numbering_starts_afresh_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    docs = [r["text"] for r in rows[:120]]
    word = word_vectorizer(min_df=2).fit(docs)
    char = TfidfVectorizer(analyzer=analyze_chars, min_df=2, sublinear_tf=True, dtype=np.float32).fit(docs)
    fast_word, fast_char = as_fast(word), as_fast(char)
    monkeypatch.setattr(tfidf, "_WORDS_MAX", 300)
    monkeypatch.setattr(tfidf, "_WORDS", tfidf._Words())
    before = tfidf._WORDS
    for i in range(0, 120, 20):
        batch = docs[i:i + 20]
        assert_same(fast_word.transform(batch), word.transform(batch))
        assert_same(fast_char.transform(batch), char.transform(batch))
    assert tfidf._WORDS is not before


def test_tables_follow_the_vocabulary() -> None:
    docs = ["việc làm lương cao", "lương cao việc nhẹ", "online job pays well", "job online"]
    ref = word_vectorizer().fit(docs)
    fast = as_fast(ref)
    assert_same(fast.transform(docs), ref.transform(docs))
    fast.vocabulary_ = {t: int(i) for t, i in fast.vocabulary_.items()}  # what slim() does before saving
    assert_same(fast.transform(docs), ref.transform(docs))
    other = word_vectorizer().fit(docs[2:])
    fast.vocabulary_, fast._tfidf = other.vocabulary_, other._tfidf
    assert_same(fast.transform(docs), other.transform(docs))
    fast.set_params(ngram_range=(1, 1))
    uni = word_vectorizer(ngram_range=(1, 1))
    uni.vocabulary_, uni._tfidf = other.vocabulary_, other._tfidf
    assert_same(fast.transform(docs), uni.transform(docs))


def test_concurrent_transforms_agree() -> None:
    rows = [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    docs = [r["text"] for r in rows]
    word = word_vectorizer(min_df=2).fit(docs[:150])
    char = TfidfVectorizer(analyzer=analyze_chars, min_df=2, sublinear_tf=True, dtype=np.float32).fit(docs[:150])
    fast_word, fast_char = as_fast(word), as_fast(char)
    batches = [docs[i::6] for i in range(6)]
    expected = [(word.transform(b), char.transform(b)) for b in batches]
    got: dict[int, Any] = {}

    def work(i: int) -> None:
        for _ in range(3):
            got[i] = (fast_word.transform(batches[i]), fast_char.transform(batches[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, (w, c) in enumerate(expected):
        assert_same(got[i][0], w)
        assert_same(got[i][1], c)


# ---------------------------------------------------------------- real text and the models


def _seed_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_inputs() -> list[ModelInput]:
    return [ModelInput.of_signals(signals_of({"id": i, **r})) for i, r in enumerate(_seed_rows())]


def reference_features(pipe: Pipeline, inputs: list[ModelInput]) -> Any:
    blocks = []
    for _, step in pipe.named_steps["features"].transformer_list:
        ref = as_sklearn(step) if isinstance(step, TfidfVectorizer) else step
        blocks.append(sp.csr_matrix(ref.transform(inputs)))
    return sp.hstack(blocks).tocsr()


def check_model(pipe: Pipeline, inputs: list[ModelInput]) -> None:
    fast = pipe.named_steps["features"].transform(inputs)
    ref = reference_features(pipe, inputs)
    assert_same(fast, ref)
    clf = pipe.named_steps["clf"]
    assert np.abs(clf.predict_proba(fast) - clf.predict_proba(ref)).max() <= 1e-12


def test_seed_texts_with_classifier_settings() -> None:
    rows = _seed_rows()
    docs = [f"{r.get('title') or ''}\n{r['text']}" for r in rows]
    pipe = build_pipeline(max_features=2000)  # cuts both vocabularies
    word, char = (step for _, step in pipe.named_steps["features"].transformer_list[:2])
    word.fit(docs[:200])
    char.fit(docs[:200])
    assert len(word.vocabulary_) == 1000
    assert len(char.vocabulary_) == 2000
    assert any(" " in t for t in word.vocabulary_)
    for vec in (word, char):
        assert type(vec) is FastTfidfVectorizer
        assert uses_fast_counting(vec)
        assert_same(vec.transform(docs), as_sklearn(vec).transform(docs))
        assert_same(vec.transform(docs[::-1]), as_sklearn(vec).transform(docs[::-1]))


def test_shipped_model_counts_as_sklearn(seed_inputs: list[ModelInput]) -> None:
    model = load_model(SHIPPED)
    steps = dict(model.pipeline.named_steps["features"].transformer_list)
    for name in ("word", "char"):
        assert type(steps[name]) is FastTfidfVectorizer
        assert uses_fast_counting(steps[name])
    check_model(model.pipeline, seed_inputs)


def test_fresh_model_scores_as_sklearn_and_survives_saving(seed_inputs: list[ModelInput], tmp_path: Path) -> None:
    rows = _seed_rows()
    pipe = build_pipeline(max_features=8000).fit(seed_inputs[:250], [r["label"] for r in rows[:250]])
    check_model(pipe, seed_inputs)
    path = tmp_path / "clf.skops"
    save_model(slim(pipe), {"threshold": 0.5, "model_version": "test"}, path, "card")
    loaded = load_model(path)
    check_model(loaded.pipeline, seed_inputs)
    assert np.abs(loaded.pipeline.predict_proba(seed_inputs) - pipe.predict_proba(seed_inputs)).max() <= 1e-12


def test_new_words_columns_are_their_char_ngrams() -> None:
    """A word first seen at scoring time gets the columns of its char_wb n-grams, in any
    script, astral characters and lone surrogates (valid in a JSON string) included."""
    words = ["\ud800bad", "x\ud800", "bad", "\udfff", "\U0001F600ab", "กข่"]
    vocab = {g: i for i, g in enumerate(sorted({g for w in ("bad", "x\ud800", "\U0001F600a") for g in char_ngrams(w)}))}
    ref = TfidfVectorizer(analyzer=analyze_chars, dtype=np.float32)
    ref.fit(["bad x\ud800 \U0001F600a"])
    assert set(ref.vocabulary_) == set(vocab)
    docs = [" ".join(words[i:]) for i in range(len(words))]
    assert_same(as_fast(ref).transform(docs), ref.transform(docs))
    model = load_model(SHIPPED)
    posts = [ModelInput(f"job offer {i} " + "word" * i + " \ud800bad text") for i in range(20)]
    probs = model.pipeline.predict_proba(posts)[:, 1]
    assert len(probs) == 20
    assert all(0 <= p <= 1 for p in probs)
