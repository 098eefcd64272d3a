"""The scam-recruitment classifier: one scikit-learn ``Pipeline``.

Input: one string per post (:func:`pipeline.features.model_text`). Features: word 1–2-grams
and character 2–4-grams (TF-IDF) over the normalized text, plus indicator and identifier
signals; a logistic regression calibrated to a probability (sigmoid, 3-fold).
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.features import SignalFeatures


def build_pipeline(*, max_features: int = 60000, C: float = 4.0) -> Pipeline:
    features = FeatureUnion([
        ("word", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2,
                                 max_features=max_features // 2, sublinear_tf=True,
                                 dtype=np.float32)),
        ("char", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 4), min_df=2,
                                 max_features=max_features, sublinear_tf=True, dtype=np.float32)),
        ("signals", SignalFeatures()),
    ])
    clf = CalibratedClassifierCV(
        LogisticRegression(C=C, class_weight="balanced", max_iter=2000), method="sigmoid", cv=3
    )
    return Pipeline([("features", features), ("clf", clf)])
