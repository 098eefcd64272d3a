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
        feats = Counter(features(text))
        return {lang: self.priors[lang] + sum(n * self.logp[lang].get(f, self.unseen[lang]) for f, n in feats.items())
                for lang in self.priors}

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        return max(scores, key=lambda lang: scores[lang])


def features(text: str) -> list[str]:
    """Words (``w:``) and character 1–3-grams of ``" word "`` (lower case)."""
    out = []
    for word in _WORD.findall(text.lower()):
        out.append("w:" + word)
        padded = f" {word} "
        for n in (1, 2, 3):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


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


def script_language(text: str) -> str | None:
    """The language a non-Latin script decides (see module doc), ``"latin"`` when Latin
    letters dominate, None when the text has no letters."""
    weights: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        for first, last, lang, weight in _SCRIPT_LANG:
            if first <= cp <= last:
                weights[lang] += weight
                break
        else:
            weights["latin" if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else "other"] += 1
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
    if sum(ch in _VI_ONLY for ch in clean) >= 2:
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
