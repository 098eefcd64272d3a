"""Language of a post: :func:`detect` returns an ISO 639-1 code or ``"und"``.

Two steps:

1. **Script.** URLs, e-mails and @handles are removed, then letters are counted per script.
   A script with its own language wins when it holds at least :data:`SCRIPT_SHARE` of the
   letters (Han counts three times, one Han character being about one word): Thai → th,
   Lao → lo, Khmer → km, Myanmar → my, Sinhala → si, Han → zh (unless kana make up a tenth
   of the letters: Japanese, ``und``). So a Thai post with English
   words and a Latin handle is still ``th``.
2. **Latin script** (en, vi, id, ms, tl): Vietnamese-only letters (ư ơ đ ă and the stacked
   tone marks) decide ``vi`` outright; otherwise a multinomial naive Bayes over lower-cased
   words and character 1–3-grams of each word (``" word "``), add-one smoothing, trained with
   diacritic-free copies of the Vietnamese samples (people type "luong cao" too). When it
   says id or ms, marker words (:data:`MS_MARKERS`, :data:`ID_MARKERS`) settle between the
   two, which share most of their vocabulary.

The model is trained **once per process, lazily** (``lru_cache``, first call) from
``models/data/seed.jsonl`` (the team-written labelled set; its SHA-256 prefix is in
:func:`profile_version`) plus the short samples in :data:`BUILTIN_SAMPLES`, which mainly
give Malay (few seed rows) its distinctive words. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from pipeline.textnorm import normalize_text

LATIN_LANGS = ("en", "vi", "id", "ms", "tl")
#: Share of letters a non-Latin script needs to decide the language.
SCRIPT_SHARE = 0.25

_SCRIPT_LANG = (  # (first, last code point, language, weight)
    (0x0E00, 0x0E7F, "th", 1), (0x0E80, 0x0EFF, "lo", 1), (0x1780, 0x17FF, "km", 1),
    (0x19E0, 0x19FF, "km", 1), (0x1000, 0x109F, "my", 1), (0xA9E0, 0xA9FF, "my", 1),
    (0xAA60, 0xAA7F, "my", 1), (0x0D80, 0x0DFF, "si", 1), (0x4E00, 0x9FFF, "zh", 3),
    (0x3400, 0x4DBF, "zh", 3), (0xF900, 0xFAFF, "zh", 3), (0x20000, 0x2FA1F, "zh", 3),
    (0x3040, 0x30FF, "kana", 1),
)
_STRIP = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|[@#]\w+|\b(?:t|wa)\.me/\S*", re.I)
_VI_ONLY = frozenset("ăâđêôơưĂÂĐÊÔƠƯ" "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
_WORD = re.compile(r"[^\W\d_]+")
#: Words that tell Malay from Indonesian (the two share most of their vocabulary); used when
#: the model says id or ms and the text holds markers of one side only, or more of one side.
MS_MARKERS = frozenset(
    "syarikat sahaja selepas percuma tiada ialah kerana baharu jawatan pejabat kilang kedai bas polis"
    " pasport kerajaan wang kenderaan elaun temuduga majikan kelayakan sila mahu nak je"
    " kemboja pelancong uruskan hantar sdn bhd kwsp perkeso rm ringgit awak dimaklumkan berlesen"
    " khidmat talian".split())
ID_MARKERS = frozenset(
    "bisa karena paspor kantor pabrik toko perusahaan lowongan karyawan pelamar wawancara"
    " silakan gratis uang butuh dicari mau aja saja setelah sesudah kak gan rp juta ribu kamu"
    " pemerintah kualifikasi persyaratan bapak ibu gimana nggak enggak kabupaten".split())

#: Short hand-written samples added to the seed set (Malay, and id/ms/tl function words).
BUILTIN_SAMPLES: dict[str, tuple[str, ...]] = {
    "ms": (
        "Jawatan kosong di syarikat kami. Gaji lumayan, boleh mohon sekarang, sila hubungi kami.",
        "Kerja sambilan dari rumah, tidak perlu pengalaman, percuma latihan, gaji dibayar setiap minggu.",
        "Kami mahu pekerja yang berminat. Sila hantar resume anda melalui WhatsApp sahaja.",
        "Syarikat baharu di Kuala Lumpur menawarkan elaun, cuti tahunan dan insurans kesihatan.",
        "Awak boleh mula kerja esok. Kenderaan disediakan, tempat tinggal percuma kerana syarikat tanggung.",
        "Permohonan dibuka kepada warganegara Malaysia sahaja. Temuduga akan diadakan minggu hadapan.",
    ),
    "id": (
        "Lowongan kerja di perusahaan kami, gaji besar, bisa langsung kerja, silakan hubungi kami.",
        "Dicari karyawan tanpa pengalaman, mau belajar, karena perusahaan sedang berkembang.",
        "Bagi yang berminat silakan kirim CV lewat WhatsApp, gaji Rp 8 juta per bulan.",
    ),
    "tl": (
        "Hiring ngayon! Walang experience na kailangan, libre ang pamasahe at tirahan, mag-apply na po.",
        "Kailangan namin ng mga empleyado para sa trabaho sa ibang bansa, malaki ang sahod.",
    ),
    "en": (
        "We are hiring customer service staff. No experience needed, high salary, apply now.",
    ),
    "vi": (
        "Tuyển nhân viên chăm sóc khách hàng, lương cao, bao ăn ở, liên hệ ngay.",
    ),
}


@dataclass(frozen=True)
class NaiveBayes:
    """Log-probability profiles per language (features: words and char 1–3-grams)."""

    priors: dict[str, float]
    logp: dict[str, dict[str, float]]
    unseen: dict[str, float]

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> NaiveBayes:
        counts: dict[str, Counter[str]] = {lang: Counter() for lang in LATIN_LANGS}
        docs: Counter[str] = Counter()
        for text, lang in samples:
            if lang in counts:
                counts[lang].update(features(text))
                docs[lang] += 1
        vocab = set().union(*counts.values())
        total_docs = sum(docs.values())
        priors, logp, unseen = {}, {}, {}
        for lang, c in counts.items():
            denom = sum(c.values()) + len(vocab) + 1
            priors[lang] = math.log((docs[lang] + 1) / (total_docs + len(counts)))
            logp[lang] = {f: math.log((n + 1) / denom) for f, n in c.items()}
            unseen[lang] = math.log(1 / denom)
        return cls(priors, logp, unseen)

    def scores(self, text: str) -> dict[str, float]:
        langs, index, table, prior = self._table()
        feats = Counter(features(text))
        rows = [index.get(f, -1) for f in feats]  # -1: the row of unseen log-probabilities
        totals = np.asarray(list(feats.values()), dtype=np.float64) @ table[rows] if rows else np.zeros(len(langs))
        return {lang: float(p + t) for lang, p, t in zip(langs, prior, totals, strict=True)}

    def _table(self) -> tuple[list[str], dict[str, int], np.ndarray, np.ndarray]:
        """The profiles as one (feature × language) matrix, built once: a text's scores are
        then one matrix product instead of a dictionary lookup per feature and language."""
        cached = self.__dict__.get("_cached_table")
        if cached is None:
            langs = list(self.priors)
            vocab = sorted(set().union(*(self.logp[lang] for lang in langs)))
            table = np.empty((len(vocab) + 1, len(langs)), dtype=np.float64)
            for j, lang in enumerate(langs):
                lp, unseen = self.logp[lang], self.unseen[lang]
                table[:-1, j] = [lp.get(f, unseen) for f in vocab]
                table[-1, j] = unseen
            cached = (langs, {f: i for i, f in enumerate(vocab)}, table,
                      np.asarray([self.priors[lang] for lang in langs]))
            object.__setattr__(self, "_cached_table", cached)
        return cached

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        return max(scores, key=lambda lang: scores[lang])


def features(text: str) -> list[str]:
    """Words (``w:``) and character 1–3-grams of ``" word "`` (lower case)."""
    out: list[str] = []
    cache = _WORD_FEATURES
    for word in _WORD.findall(text.lower()):
        feats = cache.get(word)
        if feats is None:
            if len(cache) > 200_000:
                cache.clear()
            padded = f" {word} "
            feats = cache[word] = ("w:" + word, *(padded[i:i + n] for n in (1, 2, 3)
                                                  for i in range(len(padded) - n + 1)))
        out.extend(feats)
    return out


#: features of a word, computed once (words repeat across posts)
_WORD_FEATURES: dict[str, tuple[str, ...]] = {}


def _seed_text() -> str:
    return resources.files("models").joinpath("data/seed.jsonl").read_text("utf-8")


def seed_rows() -> list[dict[str, object]]:
    """Rows of ``models/data/seed.jsonl``."""
    return [json.loads(line) for line in _seed_text().splitlines() if line.strip()]


def training_samples(rows: Iterable[dict[str, object]]) -> list[tuple[str, str]]:
    """``(text, lang)`` pairs from seed rows (title and text) plus :data:`BUILTIN_SAMPLES`."""
    out = [(f"{row.get('title') or ''} {row['text']}", str(row["lang"])) for row in rows]
    out += [(text, lang) for lang, texts in BUILTIN_SAMPLES.items() for text in texts]
    # Vietnamese is often typed without diacritics: learn that spelling too.
    out += [(strip_diacritics(text), lang) for text, lang in out if lang == "vi"]
    return out


def strip_diacritics(text: str) -> str:
    """Latin letters without combining marks, đ → d ("Lương" → "Luong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def model() -> NaiveBayes:
    """The Latin-script model, trained on first use from the seed set and built-in samples."""
    return NaiveBayes.train(training_samples(seed_rows()))


def profile_version() -> str:
    """``langid-nb.v1+<first 12 hex digits of SHA-256(seed.jsonl)>``: what the model saw."""
    return "langid-nb.v1+" + hashlib.sha256(_seed_text().encode("utf-8")).hexdigest()[:12]


class _ScriptClasses(dict[int, str | None]):
    """``str.translate`` table: a letter → one character naming its script class (an index
    into :data:`_SCRIPT_LANG`, or Latin, or other); anything else is deleted. Filled on first
    sight of each code point, so counting scripts runs in C."""

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        value: str | None = None
        if ch.isalpha():
            for i, (first, last, _lang, _weight) in enumerate(_SCRIPT_LANG):
                if first <= cp <= last:
                    value = chr(0xE000 + i)
                    break
            else:
                value = "L" if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else "O"
        self[cp] = value
        return value


_CLASSES = _ScriptClasses()
_CLASS_LANG: dict[str, tuple[str, int]] = {
    "L": ("latin", 1), "O": ("other", 1),
    **{chr(0xE000 + i): (lang, weight) for i, (_f, _l, lang, weight) in enumerate(_SCRIPT_LANG)},
}


_VI_ONLY_RX = re.compile("[" + re.escape("".join(sorted(_VI_ONLY))) + "]")


def script_language(text: str) -> str | None:
    """The language a non-Latin script decides (see module doc), ``"latin"`` when Latin
    letters dominate, None when the text has no letters."""
    weights: Counter[str] = Counter()
    for cls, n in Counter(text.translate(_CLASSES)).items():
        lang, weight = _CLASS_LANG[cls]
        weights[lang] += n * weight
    total = sum(weights.values())
    if not total:
        return None
    if weights["kana"] >= 0.1 * total:  # Japanese: Han with kana is not Chinese
        return "other"
    local = [(n, lang) for lang, n in weights.items() if lang not in ("latin", "other", "kana")]
    if local:
        n, lang = max(local)
        if n >= SCRIPT_SHARE * total:
            return lang
    return "latin" if weights["latin"] >= weights["other"] else "other"


def detect(text: str, model_: NaiveBayes | None = None) -> str:
    """ISO 639-1 code of ``text`` (en vi th zh id ms tl km my lo si), ``"und"`` when it has no
    letters or is in another script. ``model_`` replaces the shipped model (for evaluation)."""
    clean = _STRIP.sub(" ", normalize_text(text).text)
    script = script_language(clean)
    if script is None or script == "other":
        return "und"
    if script != "latin":
        return script
    if len(_VI_ONLY_RX.findall(clean)) >= 2:
        return "vi"
    if not _WORD.search(clean):
        return "und"
    lang = (model_ or model()).predict(clean)
    if lang in ("id", "ms"):
        words = [w.lower() for w in _WORD.findall(clean)]
        ms, id_ = sum(w in MS_MARKERS for w in words), sum(w in ID_MARKERS for w in words)
        if ms != id_:
            lang = "ms" if ms > id_ else "id"
    return lang
