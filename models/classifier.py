"""The scam-recruitment classifier: one scikit-learn ``Pipeline``.

Input: one :class:`models.features.ModelInput` per post (its normalized title and text with
the indicator hits and identifier types :func:`pipeline.signals.post_signals` found).
Features: word 1–2-grams and character 2–4-grams within words (TF-IDF, ``char_wb``) over the
normalized text with addresses masked (:func:`models.features.ngram_text`), both counted by
:class:`models.tfidf.FastTfidfVectorizer`, plus the signals
(:class:`models.features.SignalFeatures`); a logistic regression calibrated to a probability
(sigmoid, 3-fold).
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from models.features import SignalFeatures, analyze_chars, ngram_text
from models.tfidf import FastTfidfVectorizer


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
