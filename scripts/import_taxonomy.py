"""Regenerate pipeline/indicators.yaml from the research taxonomy (developer tool).

Usage: python scripts/import_taxonomy.py ../shared/research/indicator-taxonomy.yaml

Keeps the indicators listed in SELECTED, maps weight hints to numbers, and marks patterns
that the taxonomy flags with ``# verify`` so they stay low-weight until a native speaker
checks them. Everything written by hand lives in this file, never in the YAML:

* WEIGHT_OVERRIDES / PATTERN_FIXES: deliberate departures from the taxonomy, each with a reason;
* EXTRA_PATTERNS: phrasings added by the LureWatch team for languages the taxonomy does not
  cover; like the taxonomy's ``# verify`` lines they are editor-supplied, so they are listed
  under ``unverified`` and weigh ``unverified_weight`` until a native speaker checks them;
* EXTRA: the context rule (CTX-WARN) and the combination rules of taxonomy §5 (``all_of``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

#: Taxonomy groups scored on recruitment ads (META/DIST/EVA/ENT are network, triage or
#: extraction concerns and stay out of the catalogue).
SELECTED = [
    "JOB-01", "JOB-02", "JOB-03", "JOB-04", "JOB-05", "JOB-06", "JOB-07", "JOB-08",
    "TRV-01", "TRV-02", "TRV-03", "TRV-04", "TRV-05",
    "LOC-01", "LOC-02", "LOC-03",
    "CON-01", "CON-02",
    "EMP-01", "EMP-02", "EMP-03",
    "REQ-01", "REQ-02", "REQ-03", "REQ-04",
    "FEE-01",
    "DOC-01", "DOC-02",
    "URG-01",
]
WEIGHTS = {"low": 0.5, "low–medium": 0.75, "medium": 1.0, "medium–high": 1.5, "high": 2.0}
VERIFY_WEIGHT = 0.25

#: id -> (weight, reason). Departures from the taxonomy's weight_hint.
WEIGHT_OVERRIDES: dict[str, tuple[float, str]] = {
    "LOC-02": (0.5, "Bangkok, Hanoi, Kuala Lumpur, Dubai… are where ordinary jobs are; the taxonomy "
                    "itself scores transit points only in combination (§5)"),
}

#: (id, pattern as in the taxonomy) -> (replacement, reason).
PATTERN_FIXES: dict[tuple[str, str], tuple[str, str]] = {
    ("CON-01", r"\b(dm|pm|inbox)\s+(me|us)?\s*(for\s+(details|more))?\b"): (
        r"\b(dm|pm|inbox)\s+(me|us)\b(\s*for\s+(details|more))?",
        "with (me|us) optional the pattern fired on every '5 pm'"),
    ("REQ-03", r"\b(good[- ]looking|pretty|attractive|beautiful)\b"): (
        r"\b(good[- ]looking|pretty|beautiful)\b|\battractive\s+(appearance|looks?|girls?|women|ladies)\b",
        "bare 'attractive' fired on 'attractive salary', which is JOB-01's phrasing, not targeting"),
    ("JOB-05", "网投"): (
        "(?<!官)网投(?!递)",
        "fired on 官网投递 ('apply through the official website'), common in ordinary Chinese ads"),
}

#: Hand-written phrasings (editor-supplied: listed as unverified, low weight until checked).
EXTRA_PATTERNS: dict[str, dict[str, list[str]]] = {
    "JOB-01": {"ms": [r"gaji\s+(lumayan|tinggi|besar)"], "km": ["ប្រាក់ខែខ្ពស់"]},
    "JOB-02": {"id": [r"kerja\s+(santai|mudah)"], "tl": [r"madaling\s+trabaho"], "ms": [r"kerja\s+(senang|mudah)"]},
    "JOB-03": {"id": [r"tanpa\s+pengalaman", r"tidak\s+perlu\s+pengalaman"], "tl": [r"walang\s+experience\s+(na\s+)?kailangan"],
               "ms": [r"tiada\s+pengalaman\s+(pun\s+)?(diperlukan|tidak\s+apa)"]},
    "TRV-01": {"id": [r"(tiket|akomodasi|makan)\s+(gratis|ditanggung)"], "ms": [r"tiket\s+(kapal\s+terbang\s+)?percuma"],
               "tl": [r"libreng\s+(tirahan|pagkain|accommodation)"]},
    "TRV-03": {"id": [r"(dijemput|jemput)\s+di\s+bandara"], "tl": [r"susunduin?\s+(ka\s+)?sa\s+airport"]},
    "TRV-04": {"th": [r"ทำงานที่ต่างประเทศ"], "id": [r"kerja\s+di\s+(luar\s+negeri|asia\s+tenggara)"],
               "tl": [r"trabaho\s+sa\s+(abroad|ibang\s+bansa)"]},
    "CON-01": {"km": [r"ទាក់ទង(តាម)?\s*telegram"], "ms": [r"hubungi\s+(melalui\s+)?(wa|whatsapp|telegram)"]},
    "CON-02": {"id": [r"tes\s+mengetik"], "th": [r"ทดสอบการพิมพ์"]},
    "EMP-01": {"th": [r"บริษัทใหญ่", r"บริษัทต่างชาติ"], "tl": [r"malaking\s+kompanya"]},
    "EMP-02": {"vi": [r"(không\s*có|chưa\s*có)\s*hợp\s*đồng", r"ký\s*hợp\s*đồng\s*(khi|sau\s*khi)\s*(sang|đến)"],
               "th": [r"ไม่มีสัญญาจ้าง", r"เซ็นสัญญาที่"], "tl": [r"walang\s+kontrata"]},
    "EMP-03": {"id": [r"(resmi\s+)?kemnaker|kementerian\s+ketenagakerjaan"], "zh": [r"(官方|政府)(认证|批准)"]},
    "REQ-01": {"id": [r"bisa\s+bahasa\s+(inggris|mandarin|china)"], "tl": [r"marunong\s+mag-?(english|ingles|chinese)"]},
    "REQ-02": {"th": [r"พิมพ์(ดีด)?คล่อง", r"ใช้คอมพิวเตอร์(พื้นฐาน)?เป็น"], "tl": [r"mabilis\s+mag-?type"]},
    "REQ-03": {"id": [r"usia\s*(1[6-9]|2\d)\s*(-|s/d|sampai)\s*(2\d|3\d)"], "tl": [r"edad\s*(1[6-9]|2\d)\s*(-|hanggang)\s*(2\d|3\d)"],
               "ms": [r"umur\s*(1[6-9]|2\d)\s*(-|hingga)\s*(2\d|3\d)"]},
    "REQ-04": {"vi": [r"(chỉ\s*)?tuyển\s*người\s*việt"], "th": [r"รับเฉพาะคนไทย"]},
    "FEE-01": {"ms": [r"yuran\s+(pendaftaran|proses|visa)"]},
    "DOC-01": {"th": [r"ส่ง(รูป|สำเนา)?\s*พาสปอร์ต", r"ส่งสำเนาหนังสือเดินทาง"], "ms": [r"hantar\s+(salinan\s+)?pasport"]},
    "DOC-02": {"vi": [r"thư\s*mời\s*(làm\s*việc|nhận\s*việc)"], "id": [r"visa\s+kerja\s+resmi"]},
    "URG-01": {"ms": [r"diperlukan\s+segera"], "km": ["ត្រូវការបន្ទាន់"]},
}

#: Context rule and combination rules (taxonomy §5).
EXTRA: list[dict[str, object]] = [
    {
        "id": "CTX-WARN",
        "label": "Warning, news or awareness context",
        "description": "The post warns about, reports on or raises awareness of recruitment scams; such posts "
        "mention the same hubs and phrasings but are not recruitment. A marker (weight 0): when it fires, every "
        "other hit of the post weighs `context_factor` times its weight.",
        "weight": 0.0,
        "context": True,
        "context_factor": 0.3,
        "patterns": {
            "en": [r"\b(beware\s+of|be\s+careful|scam\s+(alert|warning)|warn(s|ed|ing)?\s+(the\s+public|against|about|of|that|job\s*seekers)"
                   r"|do\s+not\s+fall\s+for|don'?t\s+fall\s+for|(was|were|been|being)\s+rescued|rescued\s+from|repatriated"
                   r"|victims?\s+of|trafficking\s+victims?|(police|authorities|embassy|ministry|interpol|immigration)\s+(said|warns?|warned|advis\w+|urg\w+)"
                   r"|(travel|public)\s+advisory|awareness\s+(post|campaign))\b",
                   # news coverage and NGO awareness posts (taxonomy §5 "known false positives")
                   r"\b(anti-?scam|human\s+trafficking|(scam|fraud)\s+(cent(re|er)s?|compounds?|hubs?|factories)"
                   r"|(police|authorities)\s+(have\s+)?arrest(ed|s)?|trapped\s+in|forced\s+(to|into)\s+(work|scam|run)"
                   r"|survivors?|fake\s+job\s+(ads?|offers?|posts?))\b"],
            "vi": [r"cảnh\s*báo", r"giải\s*cứu", r"thủ\s*đoạn", r"nạn\s*nhân", r"đừng\s*(tin|sập\s*bẫy|để\s*bị\s*lừa)", r"công\s*an\s*(tỉnh|thành\s*phố|tp)?\s*\S*\s*(khuyến\s*cáo|thông\s*tin)"],
            "th": [r"เตือนภัย", r"ระวังภัย", r"ช่วยเหลือ.{0,20}(เหยื่อ|คนไทย)", r"เหยื่อ", r"อย่าหลงเชื่อ",
                   r"ถูกหลอก", r"จับกุม", r"ค้ามนุษย์"],
            "zh": [r"警惕", r"提醒", r"谨防", r"受害者", r"解救", r"警方", r"警情通报", r"防骗",
                   r"反[诈詐]", r"[诈詐][骗騙](园区|園區|集团|集團)", r"人口[贩販][运運]", r"被[骗騙]", r"[获獲]救", r"宣[导導]"],
            "id": [r"\b(waspada|hati-hati|korban|dipulangkan|imbauan|modus\s+penipuan)\b"],
            "ms": [r"\b(berwaspada|mangsa|amaran)\b"],
            "tl": [r"\b(babala|mag-ingat|biktima|nasagip|paalala)\b"],
        },
        "sources": ["S13", "S15", "S16", "S17", "S18", "S19", "S22", "§5 counter-indicators"],
    },
    {
        "id": "COMBO-01",
        "label": "Recruitment package: lure + Southeast-Asian destination + messaging contact",
        "description": "High pay or paid travel, a named hub or destination country, and contact through "
        "messaging apps (or tourist-visa/indirect-route travel), together (taxonomy §5 'high').",
        "weight": 2.0,
        "all_of": [["JOB-01", "TRV-01"], ["LOC"], ["CON-01", "CON-02", "TRV-02", "TRV-03"]],
        "sources": ["S05", "S08", "S04", "S01", "S13", "S14", "S15", "S16", "S17", "S18", "S19"],
    },
    {
        "id": "COMBO-02",
        "label": "Recruitment package with deception, illicit work or document grab",
        "description": "COMBO-01's package plus, as a further distinct hit, tourist-visa travel, explicitly illicit "
        "work, a chat-only interview/document hand-off or an early passport request (taxonomy §5 'very high').",
        "weight": 2.0,
        "all_of": [["JOB-01", "TRV-01"], ["LOC"], ["CON-01", "CON-02", "TRV-02", "TRV-03"],
                   ["TRV-02", "JOB-07", "CON-02", "DOC-01"]],
        "sources": ["S05", "S08", "S04", "S01", "S13", "S16", "S21", "S22"],
    },
    {
        "id": "COMBO-03",
        "label": "Cover job title + destination + free travel or high pay",
        "description": "A cover title (customer service, admin, typist…) is common in legitimate ads and only "
        "meaningful with an overseas destination and a travel or pay lure.",
        "weight": 1.0,
        "all_of": [["JOB-04"], ["LOC"], ["TRV-01", "JOB-01"]],
        "sources": ["S08", "S13", "S16", "S19", "S25"],
    },
]


def verify_patterns(raw: str) -> set[str]:
    """Patterns whose YAML line carries a ``# verify`` comment and that appear on no sourced
    line (CON-02's ``typing\\s+test`` is sourced in English and unverified in Tagalog)."""
    marked, sourced = set(), set()
    for line in raw.splitlines():
        m = re.match(r"\s*-\s*(.+?)\s+#\s*verify", line)
        if m:
            marked.add(yaml.safe_load(m.group(1)) if m.group(1)[:1] in "'\"" else m.group(1))
        elif re.match(r"\s+-\s", line):
            sourced.add(str(yaml.safe_load(line.strip()[1:].strip() or "''")))
    return marked - sourced


def convert(item: dict[str, Any], verify: set[str]) -> dict[str, Any]:
    """One taxonomy record as a catalogue entry."""
    iid = item["id"]
    patterns: dict[str, list[str]] = {"en": list(item.get("patterns_en") or [])}
    for lang, pats in (item.get("patterns_other") or {}).items():
        patterns[lang] = list(pats)
    unverified = {p for pats in patterns.values() for p in pats if p in verify}
    for lang, pats in patterns.items():
        patterns[lang] = [PATTERN_FIXES.get((iid, p), (p, ""))[0] for p in pats]
    for lang, pats in EXTRA_PATTERNS.get(iid, {}).items():
        patterns.setdefault(lang, []).extend(pats)
        unverified.update(pats)
    weight, _reason = WEIGHT_OVERRIDES.get(iid, (WEIGHTS.get(item["weight_hint"], 1.0), ""))
    return {
        "id": iid, "label": item["label"],
        "description": item["description"].split(". ")[0].strip().rstrip(".") + ".",
        "weight": weight,
        "unverified_weight": VERIFY_WEIGHT,
        "patterns": patterns,
        "unverified": sorted(unverified),
        "sources": [s.split(" (")[0] for s in item["sources"]],
    }


def main(path: str) -> None:
    raw = Path(path).read_text("utf-8")
    verify = verify_patterns(raw)
    by_id = {item["id"]: item for item in yaml.safe_load(raw)}
    missing = [i for i in SELECTED if i not in by_id]
    if missing:
        raise SystemExit(f"not in the taxonomy: {missing}")
    out = [convert(by_id[i], verify) for i in SELECTED]
    out.extend(EXTRA)
    header = ("# LureWatch indicators: id, label, description, weight, patterns per language,\n"
              "# sources (keys of ../shared/research/indicator-taxonomy.md §1).\n"
              "# Generated by scripts/import_taxonomy.py (edit that script, not this file). Patterns under\n"
              "# `unverified` are editor-supplied (taxonomy `# verify` lines and the script's EXTRA_PATTERNS)\n"
              "# and weigh `unverified_weight` until checked. `context: true` entries mark warning/news posts\n"
              "# (other hits then weigh `context_factor` x weight); `all_of` entries are combination rules.\n")
    Path("pipeline/indicators.yaml").write_text(
        header + yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100), "utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/research/indicator-taxonomy.yaml")
