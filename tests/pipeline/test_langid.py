from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter

import pytest

from pipeline import langid
from pipeline.langid import detect


@pytest.mark.parametrize(("text", "expected"), [
    ("We are hiring customer service agents, no experience needed, free flight and housing.", "en"),
    ("Tuyển nhân viên chăm sóc khách hàng, lương cao, bao ăn ở, liên hệ Zalo.", "vi"),
    ("Tuyen nhan vien cham soc khach hang luong cao bao an o lien he ngay", "vi"),
    ("รับสมัครพนักงานแอดมิน เงินเดือนสูง ทำงานที่กัมพูชา ติดต่อไลน์", "th"),
    ("招聘客服，月薪一万五，包吃包住，联系飞机", "zh"),
    ("Lowongan kerja admin di Kamboja, gaji besar, tiket gratis, silakan hubungi kami.", "id"),
    ("Jawatan kosong di syarikat kami, gaji lumayan, tiket percuma, sila hubungi melalui WhatsApp sahaja.", "ms"),
    ("Hiring ng customer service sa Cambodia, malaki ang sahod, libre ang pamasahe at tirahan.", "tl"),
    ("ជ្រើសរើសបុគ្គលិកផ្នែកសេវាអតិថិជន ប្រាក់ខែខ្ពស់", "km"),
    ("အလုပ်ခေါ်နေပါသည် လစာကောင်း ထိုင်းနိုင်ငံ", "my"),
    ("ຮັບສະໝັກພະນັກງານ ເງິນເດືອນສູງ", "lo"),
    ("රැකියා අවස්ථා ඉහළ වැටුප් විදේශ රැකියා", "si"),
])
def test_detects_each_language(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Thai post with English words, a handle and a URL is still Thai
    ("ด่วน!! รับสมัคร Customer Service ทำงาน online เงินเดือน 30,000 บาท ติดต่อ Telegram @job_th88 https://t.me/job_th88", "th"),
    # Chinese with Latin code words
    ("招 k 服，菠菜项目，日薪 500 USDT，联系 Telegram @bc_kf88", "zh"),
    # Khmer with an English brand name
    ("ក្រុមហ៊ុន ABC Online ជ្រើសរើសបុគ្គលិក", "km"),
    # obfuscated English is normalized first
    ("W.o.r.k in C4mbodia, high 5alary, contact T.e.l.e.g.r.a.m", "en"),
])
def test_mixed_script_posts(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Hi, are you interested in a part-time job? Reply YES", "en"),
    ("Anh ơi, còn tuyển không ạ?", "vi"),
    ("Pwede po ba mag-apply? Interested po ako", "tl"),
    ("Gaji RM3000 sebulan, sila hantar resume melalui WhatsApp", "ms"),
    ("Gaji Rp 5 juta per bulan, silakan kirim CV lewat WhatsApp", "id"),
])
def test_short_messages(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Nous recrutons des conseillers clientèle pour notre bureau au Cambodge. Salaire attractif, "
     "logement et billet d'avion offerts. Contactez-nous sur Telegram.", "fr"),
    ("Estamos contratando agentes de atención al cliente para trabajar en Camboya. Salario alto, "
     "vuelo y alojamiento gratis. Escríbenos por Telegram.", "es"),
    ("Estamos contratando atendentes para trabalhar no Camboja. Salário alto, passagem e alojamento "
     "grátis. Fale conosco pelo Telegram.", "pt"),
    ("Wir suchen Mitarbeiter im Kundenservice für unser Büro in Kambodscha. Hohes Gehalt, Flug und "
     "Unterkunft frei. Schreiben Sie uns auf Telegram.", "de"),
    ("Salut, tu cherches du travail ?", "fr"),
])
def test_other_latin_languages_are_not_called_ours(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_english_ad_headed_by_vietnamese_names_is_english() -> None:
    body = ("We are looking for a data engineer to design, build and maintain our data pipelines. "
            "You will work with product teams to deliver reliable data for analytics and machine "
            "learning, review code, mentor junior engineers and keep our warehouse fast and tidy. ") * 3
    text = f"Senior Data Engineer\nCông Ty Cổ Phần Dịch Vụ Di Động Trực Tuyến\nHồ Chí Minh\n{body}"
    assert detect(text) == "en"


def test_letters_shared_with_french_do_not_make_vietnamese() -> None:
    # "Â£" is a pound sign read in the wrong encoding; â is also French and Portuguese
    assert detect("YOU HAVE WON Â£1000 cash or a Â£2000 prize! Call 09061234567 now") == "en"


@pytest.mark.parametrize("text", [
    "", "   ", "12345 +855 12 345 678", "🙂🙂✈️", "Привет, как дела?", "日本語のテキスト",
    # Russian with Latin look-alike letters (normalization makes those tokens Latin)
    "Вaкaнсия: yдaлённaя paбoтa, дoxoд oт 3000 $ в мecяц, пишитe в личкy",
])
def test_undetermined(text: str) -> None:
    assert detect(text) == "und"


def test_every_answer_is_declared() -> None:
    texts = ["Ok.", "x" * 300, "a b c d e f g h i j k l m n o p q r s t u v w x y z", "lol", "Danke schön",
             "Obrigado!", "ÀÉÎÕÜ àéîõü"]
    assert {detect(text) for text in texts} <= set(langid.DETECTED)
    assert langid.profile_version().startswith("langid.v2+lingua-")


def test_excerpt_reads_whole_words_from_a_third_of_the_way_in() -> None:
    short = "Short text, kept as it is."
    assert langid.excerpt(short, 80) == short
    head = "Title Company Name Place " * 4
    text = head + " ".join(f"word{chr(97 + i % 26)}" for i in range(200))
    got = langid.excerpt(text, 80)
    assert len(got) <= 80
    assert got.split()[0].startswith("word")  # the head is skipped
    assert all(w.isalpha() for w in got.split())
    assert got in " ".join(langid._WORD.findall(text))  # consecutive words of the text
    assert langid.excerpt("a" * 400, 80) == "a" * 80  # no whitespace: the start of the one word


def test_detects_without_network() -> None:
    """In a fresh process (models load there) with Python sockets refused, and inside an
    empty network namespace where ``unshare`` allows one (lingua's own code is Rust)."""
    code = ("import sys\n"
            "def refuse(event, args):\n"
            "    if event.startswith('socket.'):\n"
            "        raise OSError(f'network used: {event}')\n"
            "sys.addaudithook(refuse)\n"
            "from pipeline.langid import detect\n"
            "print(detect('Lowongan kerja admin di Kamboja, gaji besar, silakan hubungi kami.'), detect('ok'))\n")
    command = [sys.executable, "-c", code]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-rn", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "id"


# Texts for the script counts and the link stripping: every language, punctuation inside
# tokens, other whitespace, scripts mixed, links and handles, a long text.
_VARIED = [
    "", "   ", "123 456-789", "We are hiring: customer-service agents (no experience) — apply now!!",
    "Tuyển nhân viên, lương cao; bao ăn ở. Liên hệ: 0901 234 567", "Tuyen nhan vien luong cao bao an o",
    "Lowongan kerja: gaji Rp 8 juta/bulan, silakan hubungi kak.", "Jawatan kosong sahaja, sila hantar resume.",
    "Walang experience na kailangan,libre ang pamasahe", "ΟΔΟΣ ΟΔΟΣ. Σ σ ς ΑΣ,ΒΣ", "İstanbul İbu \u212aedai kedai",
    "tab\tnew\nline\u00a0nbsp\u3000ideographic\u2028sep\x1cfs", "don't e-mail x_y a1b2c3 ²³ Ⅻ café naïve",
    "รับสมัคร Customer Service @job_th88 https://t.me/job_th88", "招聘客服 Telegram @bc_kf88 日薪 500 USDT",
    "mail jobs@example.com, see WWW.Example.com/jobs or wa.ME/85512345 #hiring #kerja",
    "Вaкaнсия: yдaлённaя paбoтa oт 3000 $", "Привет мир ok ok ok ok", "x" * 300,
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
]


def _script_reference(text: str) -> tuple[str | None, int, int]:
    """script_language, the Vietnamese-only letters and the Latin letters, one character at a time."""
    weights: Counter[str] = Counter()
    for ch in text:
        cp = ord(ch)
        if not ch.isalpha():
            continue
        for first, last, lang, weight in langid._SCRIPT_LANG:
            if first <= cp <= last:
                weights[lang] += weight
                break
        else:
            weights["latin" if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else "other"] += 1
    total = sum(weights.values())
    vi = sum(ch in langid._VI_ONLY for ch in text)
    if not total:
        return None, vi, 0
    if weights["kana"] >= 0.1 * total:
        return "other", vi, weights["latin"]
    local = [(n, lang) for lang, n in weights.items() if lang not in ("latin", "other", "kana")]
    if local and max(local)[0] >= langid.SCRIPT_SHARE * total:
        return max(local)[1], vi, weights["latin"]
    return ("other" if weights["other"] >= langid.SCRIPT_SHARE * total else "latin"), vi, weights["latin"]


def test_script_counts_equal_a_character_by_character_count() -> None:
    texts = [*_VARIED, " ".join(_VARIED), "\ud800 lone surrogate", "𠀀𠀁 abc", "ひらがな漢字漢字漢字",
             "ທ" * 3 + "abc" * 4, "ĂÂĐ ạả ăn", "\U0001F642" * 5 + " ok", "Привет abcdefghijklmnopq"]
    for text in texts:
        assert langid._script_letters(text) == _script_reference(text), text[:40]
        assert langid.script_language(text) == _script_reference(text)[0]


def test_links_are_stripped_as_by_the_whole_text_pattern() -> None:
    texts = [*_VARIED, "x@y", "a@b.c@d.e f", "#a#b @c@d", "http://x.y/z?q=1#frag tail", "HTTPS://X",
             "www.a.b WwW.c.d wwwx.y", "t.me/abc T.ME/abc xt.me/abc wa.me/1 (wa.me/2) .me/ me/", "a.b.c @ # ://",
             "mail: jobs@company.co.th, tel", "\ud800@x.y", "a@b@ #x# y://", "@", "#", "@@ ## @#"]
    for text in texts:
        assert langid._strip_links(text) == langid._STRIP.sub(" ", text), text[:40]
