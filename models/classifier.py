"""The scam-recruitment classifier: one scikit-learn ``Pipeline``.

Input: one string per post (:func:`pipeline.features.model_input`: the normalized title and
text carrying the post's indicator and identifier signals). Features: word 1–2-grams and
character 2–4-grams within words (TF-IDF, ``char_wb``) over the normalized text with
addresses masked (:func:`pipeline.features.ngram_text`), plus the signals
(:class:`pipeline.features.SignalFeatures`); a logistic regression calibrated to a
probability (sigmoid, 3-fold). Both vectorizers are
:class:`pipeline.features.FastTfidfVectorizer` (scikit-learn's fit, fast transform); a model
trained with a plain ``TfidfVectorizer`` gets the same fast transform when loaded
(:func:`fast_transforms`).
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.features import FastTfidfVectorizer, SignalFeatures, analyze_chars, ngram_text


def build_pipeline(*, max_features: int = 40000, C: float = 4.0) -> Pipeline:
    features = FeatureUnion([
        ("word", FastTfidfVectorizer(preprocessor=ngram_text, ngram_range=(1, 2), min_df=2,
                                     max_features=max_features // 2, sublinear_tf=True,
                                     dtype=np.float32)),
        ("char", FastTfidfVectorizer(analyzer=analyze_chars, min_df=2, max_features=max_features,
                                     sublinear_tf=True, dtype=np.float32)),
        ("signals", SignalFeatures()),
    ])
    clf = CalibratedClassifierCV(
        LogisticRegression(C=C, class_weight="balanced", max_iter=2000), method="sigmoid", cv=3
    )
    return Pipeline([("features", features), ("clf", clf)])


def slim(pipeline: Pipeline) -> Pipeline:
    """Make the model small before saving: drop the vectorizers' ``stop_words_`` (every term
    cut by ``min_df``/``max_features``; prediction never uses it) and store vocabulary indices
    as plain ints (skops writes each numpy scalar as a file of its own)."""
    for _, step in pipeline.named_steps["features"].transformer_list:
        if hasattr(step, "stop_words_"):
            del step.stop_words_
        if hasattr(step, "vocabulary_"):
            step.vocabulary_ = {term: int(i) for term, i in step.vocabulary_.items()}
    return pipeline


def fast_transforms(pipeline: Pipeline) -> Pipeline:
    """Give the pipeline's plain ``TfidfVectorizer`` steps :class:`FastTfidfVectorizer`'s
    transform (in place; models trained before the word vectorizer was one). The step keeps
    its parameters and fitted state and computes the same matrix; a setting the fast
    counting does not cover is counted by scikit-learn as before."""
    union = pipeline.named_steps["features"]
    for name, step in union.transformer_list:
        if type(step) is TfidfVectorizer:
            fast = copy.copy(step)
            fast.__class__ = FastTfidfVectorizer
            union.set_params(**{name: fast})
    return pipeline
