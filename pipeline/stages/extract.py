"""Stage 2: extract identifiers investigators pivot on.

A registered spaCy component, ``lurewatch_identifiers_v1`` (spaCy forbids dots in factory
names, so the version is a ``_vN`` suffix), finds phone numbers
(phonenumbers, E.164), Telegram handles and t.me links, WhatsApp links, e-mails and URLs in
the *normalized* text and stores them as ``doc.spans["identifiers"]``; the stage maps each span
back to the text as captured and writes ``record.entities``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import phonenumbers
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.records import Entity, Record
from pipeline.settings import Settings
from pipeline.textnorm import normalize_text

VERSION = "extract.v1"

#: Region used to read numbers written without a country code, from the post's language.
LANG_REGION = {"vi": "VN", "th": "TH", "km": "KH", "id": "ID", "ms": "MY", "tl": "PH",
               "my": "MM", "lo": "LA", "zh": "CN", "si": "LK", "en": "PH"}

_HANDLE = r"[A-Za-z][A-Za-z0-9_]{3,31}"
_TG_LINK = re.compile(rf"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?(?:joinchat/)?({_HANDLE})\b", re.I)
_TG_HANDLE = re.compile(rf"(?<![\w@./])@({_HANDLE})\b")
_WA_LINK = re.compile(r"(?:https?://)?(?:wa\.me/|api\.whatsapp\.com/send/?\?phone=)\+?(\d{7,15})", re.I)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?。，！？]", re.I)
_BARE_TG = re.compile(r"(?<![\w/.])(?:t|telegram)\.me/[^\s<>\"'()]*[^\s<>\"'().,;:!?。，！？]", re.I)


def _phones(text: str, region: str | None) -> Iterator[tuple[int, int, str]]:
    for m in phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=phonenumbers.Leniency.VALID):
        yield m.start, m.end, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)


def find_identifiers(text: str, lang: str | None = None) -> list[tuple[str, str, int, int]]:
    """All identifiers in ``text`` as ``(type, value, start, end)``, ordered by position.

    Values are normalized: E.164 for phone and WhatsApp numbers, lower case without "@" for
    Telegram handles, lower-case e-mails, URLs as written.
    """
    found: list[tuple[str, str, int, int]] = []
    email_spans: list[tuple[int, int]] = []
    for m in _EMAIL.finditer(text):
        found.append(("email", m.group(1).lower(), m.start(1), m.end(1)))
        email_spans.append((m.start(1), m.end(1)))
    for m in _TG_LINK.finditer(text):
        found.append(("telegram", m.group(1).lower(), m.start(), m.end()))
    for m in _TG_HANDLE.finditer(text):
        if not any(s <= m.start() < e for s, e in email_spans):
            found.append(("telegram", m.group(1).lower(), m.start(), m.end()))
    for m in _WA_LINK.finditer(text):
        try:
            num = phonenumbers.parse("+" + m.group(1), None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(num):
            found.append(("whatsapp", phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                          m.start(), m.end()))
    url_spans = []
    for rx in (_URL, _BARE_TG):
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in url_spans):
                continue
            url_spans.append((m.start(), m.end()))
            found.append(("url", m.group(0), m.start(), m.end()))
    for start, end, e164 in _phones(text, LANG_REGION.get(lang or "")):
        if any(s <= start < e for s, e in url_spans):  # digits inside a wa.me link or URL
            continue
        found.append(("phone", e164, start, end))
    found.sort(key=lambda f: (f[2], f[3], f[0]))
    return found


@Language.factory("lurewatch_identifiers_v1")
def make_identifier_finder(nlp: Language, name: str) -> IdentifierFinder:
    return IdentifierFinder()


class IdentifierFinder:
    """spaCy component: ``doc.spans["identifiers"]`` (token-aligned, label = entity type,
    ``kb_id_`` = normalized value) and the exact character offsets in
    ``doc.user_data["identifier_chars"]``. Uses ``doc.user_data["lang"]`` (else
    ``doc.lang_``) for the phone region."""

    def __call__(self, doc: Doc) -> Doc:
        lang = doc.user_data.get("lang") or doc.lang_
        found = find_identifiers(doc.text, lang)
        spans = []
        for etype, value, start, end in found:
            span = doc.char_span(start, end, label=etype, kb_id=value, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["identifiers"] = spans
        doc.user_data["identifier_chars"] = found
        return doc


@lru_cache(maxsize=1)
def identifier_pipeline() -> Language:
    """A blank multilingual pipeline with the identifier component (loaded once)."""
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("lurewatch_identifiers_v1")
    return nlp


def entities_for(text: str, lang: str | None, field: str = "text") -> list[Entity]:
    """Identifiers of ``text`` with offsets into ``text`` exactly as given."""
    norm = normalize_text(text)
    nlp = identifier_pipeline()
    doc = nlp.make_doc(norm.text)
    doc.user_data["lang"] = lang
    doc = nlp(doc)
    out = []
    seen = set()
    for etype, value, s, e in doc.user_data["identifier_chars"]:
        start, end = norm.to_original(s, e)
        key = (etype, value, start, end)
        if key not in seen:
            seen.add(key)
            out.append(Entity(type=etype, value=value, start=start, end=end, field=field))
    return out


def extract(records: Iterable[Record], *, settings: Settings | None = None) -> Iterator[Record]:
    for record in records:
        ents = entities_for(record.title, record.lang, "title") if record.title else []
        ents += entities_for(record.text, record.lang, "text")
        record.entities = ents
        record.stages["extract"] = VERSION
        yield record
