"""Write and check bench/data/extraction_gold.jsonl, the annotated identifier set.

Usage: python bench/make_extraction_gold.py          # regenerate, then validate
       python bench/make_extraction_gold.py --check  # validate only

Posts are written below with inline marks ``{{type[,type…]=value|surface}}`` (``=value``
left out: the value is the surface, as for URLs and wallets); ``$NAME`` as a surface is a
generated, checksum-valid wallet. The generator strips the marks and records exact offsets,
so ``text[start:end] == surface`` always holds. Every identifier is fictional.

Annotation rules (what a correct extractor outputs):

* phone / whatsapp / zalo numbers: E.164. A number labelled with an app ("WA: +855…",
  "Zalo 09…") is both ``phone`` and that app; a number inside a wa.me link is not a phone.
* links: ``t.me/x`` is ``telegram`` (``x``) and ``url``; ``wa.me/…`` is ``whatsapp`` and ``url``;
  ``m.me/x`` is ``messenger`` and ``url``; ``line.me/…/@x`` is ``line`` and ``url``; URL value as
  written (obfuscated "dot" URLs are not annotated as URLs).
* handles (telegram, line, wechat, messenger): lower case, without "@"; homoglyphs and
  spacing undone ("@ j o b s" -> "jobs", Cyrillic "о" -> "o").
* e-mails: lower case, "[at]"/"(dot)" undone.
* crypto_wallet: as written (TRON and BTC base58check, bech32, EIP-55 EVM).
* money: ``"<ISO 4217> <integer amount>[/<hour|day|week|month>]"`` ("USD 1500/month").
* age: ``"<min>-<max>"`` or ``"<min>+"``.
* location: canonical gazetteer name (pipeline/extractors/gazetteer.yaml).
"""

# ruff: noqa: E501  (the annotated posts below are data: one post per line reads best)
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import base58

GOLD = Path(__file__).with_name("data") / "extraction_gold.jsonl"
TYPES = ("phone", "whatsapp", "telegram", "line", "wechat", "zalo", "messenger", "email", "url",
         "crypto_wallet", "money", "age", "location")
MARK = re.compile(r"\{\{([a-z_,]+)(?:=([^|}]*))?\|([^}]*)\}\}")
ZW = "\u200b"


def _h(seed: str) -> bytes:
    return hashlib.sha256(f"lurewatch-fictional-{seed}".encode()).digest()


def tron(seed: str) -> str:
    return base58.b58encode_check(b"\x41" + _h(seed)[:20]).decode()


def btc_p2pkh(seed: str) -> str:
    return base58.b58encode_check(b"\x00" + _h(seed)[:20]).decode()


from pipeline.extractors.wallets import _CHARSET as _B32  # noqa: E402
from pipeline.extractors.wallets import _polymod  # noqa: E402


def bech32_p2wpkh(seed: str) -> str:
    prog, acc, bits, data = _h(seed)[:20], 0, 0, [0]
    for b in prog:
        acc, bits = (acc << 8) | b, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(exp + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(_B32[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


def evm(seed: str) -> str:
    from pipeline.extractors.wallets import keccak256  # the extractor's Keccak-256 (pycryptodome)

    low = _h(seed)[:20].hex()
    digest = keccak256(low.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(low))


WALLETS = {"$TRON1": tron("t1"), "$TRON2": tron("t2"), "$TRON3": tron("t3"), "$TRON4": tron("t4"),
           "$TRON5": tron("t5"), "$EVM1": evm("e1"), "$EVM2": evm("e2"), "$EVM3": evm("e3"),
           "$BTC1": btc_p2pkh("b1"), "$BTC2": btc_p2pkh("b2"), "$BECH1": bech32_p2wpkh("c1"),
           "$BECH2": bech32_p2wpkh("c2")}

# (id, lang, marked text)
POSTS: list[tuple[str, str, str]] = [
    # --- English -------------------------------------------------------------------------
    ("en-01", "en", "URGENT: customer service agents for {{location=Sihanoukville|Sihanoukville}}, {{location=Cambodia|Cambodia}}. Salary {{money=USD 1500/month|$1,500/month}}, age {{age=18-30|18-30}}. Telegram {{telegram=kh_hr_desk|@kh_hr_desk}} or {{phone,whatsapp=+85512345678|WA: +855 12 345 678}}."),
    ("en-02", "en", "Typing job in {{location=Myawaddy|Myawaddy}}, free flight from {{location=Bangkok|Bangkok}}. Apply: {{email=jobs.asia.hr@gmail.com|jobs.asia.hr@gmail.com}} or {{telegram,url=asiahrteam|https://t.me/asiahrteam}}"),
    ("en-03", "en", "Earn {{money=USD 2000/month|USD 2,000 per month}} + commission. Contact {{email=recruit.global@outlook.com|recruit.global [at] outlook [dot] com}}. Training in {{location=Dubai|Dubai}}."),
    ("en-04", "en", "We need chat operators (age {{age=20-35|20 to 35}}) for {{location=KK Park|KK Park}}. Deposit refunded in USDT to {{crypto_wallet|$TRON1}}. Msg {{telegram=kkpark_hr|@kkpark_hr}}"),
    ("en-05", "en", "Contact HR on {{messenger,url=asiajobs.hub|m.me/asiajobs.hub}} or call {{phone=+66812345678|+66 81 234 5678}}. Job site {{url|https://asia-careers-hub.example/apply}}"),
    ("en-06", "en", "T e l e g r a m : {{telegram=jobskh88|@ j o b s k h 8 8}} — {{money=USD 1200/month|1200 USD monthly}}, fly to {{location=Phnom Penh|Phnom Penh}}."),
    ("en-07", "en", "Теlegram: {{telegram=vip_recruit|@vip_recruit}} | WhatsApp {{phone,whatsapp=+85592345678|＋８５５ ９２ ３４５ ６７８}} | {{location=Poipet|Poipet}} casino hotel"),
    ("en-08", "en", "Base pay {{money=USD 800/month|$800 a month}}, meals and dorm free, {{location=Bavet|Bavet}} near {{location=Vietnam|Vietnam}} border. Chat: {{whatsapp,url=+855712345678|wa.me/855712345678}}"),
    ("en-09", "en", "Seeking bilingual staff {{age=18-28|18–28}} yrs for {{location=Golden Triangle|Golden Triangle}} SEZ in {{location=Laos|Laos}}. HR: {{telegram=gt_sez_jobs|@gt_sez_jobs}}, {{email=hr@goldenzone-careers.example|HR@GoldenZone-Careers.example}}"),
    ("en-10", "en", "Salary paid in crypto. Send registration fee of {{money=USDT 50|50 USDT}} to {{crypto_wallet|$TRON2}} then text {{phone=+639171234567|0917 123 4567}}."),
    ("en-11", "en", "Whats\u200bApp: {{phone,whatsapp=+66898765432|+66\u200b89\u200b876\u200b5432}}. Free visa to {{location=Thailand|Thailand}}, then car to {{location=Mae Sot|Mae Sot}}."),
    ("en-12", "en", "Refund agents wanted, {{money=USD 3000/month|$3000/mo}}. ETH payout supported: {{crypto_wallet|$EVM1}}. DM {{telegram=refund_desk_asia|@Refund_Desk_Asia}}"),
    ("en-13", "en", "Office in {{location=Shwe Kokko|Shwe Kokko}}, {{location=Myanmar|Myanmar}}. Ages {{age=18+|18+}} only. Line ID: {{line=kk_jobs|kk_jobs}}. Site: {{url|www.kkjobs-asia.example}}"),
    ("en-14", "en", "Hiring 50 people for online marketing in {{location=Kuala Lumpur|Kuala Lumpur}} then {{location=Cambodia|Cambodia}}. Pay {{money=USD 50/day|$50/day}}. Email {{email=apply@kl-marketing.example|apply(at)kl-marketing(dot)example}}"),
    ("en-15", "en", "BTC bonus to {{crypto_wallet|$BTC1}} after probation. Questions: {{telegram,url=bonusdesk_hr|t.me/bonusdesk_hr}}"),
    ("en-16", "en", "Call {{phone=+8613812345678|+86 138 1234 5678}} (China line) or WeChat: {{wechat=hr_xigang88|hr_xigang88}}. Work in {{location=Sihanoukville|Preah Sihanouk}}."),
    ("en-17", "en", "Free ticket {{location=Ho Chi Minh City|Ho Chi Minh City}} → {{location=Bavet|Bavet}}. {{money=USD 1000/month|USD1000/month}}. Zalo {{phone,zalo=+84912345678|0912 345 678}}"),
    ("en-18", "en", "Apply at {{url|https://bit.ly/3kHjobsX}} or email {{email=careers.asia2025@yahoo.com|Careers.Asia2025@Yahoo.com}}. Location: {{location=Tachileik|Tachileik}}."),
    # --- Vietnamese ----------------------------------------------------------------------
    ("vi-01", "vi", "Việc nhẹ lương cao tại {{location=Cambodia|Campuchia}}, lương {{money=VND 15000000/month|15 triệu/tháng}}, tuổi {{age=18-30|18 đến 30}}. Liên hệ Zalo {{phone,zalo=+84987654321|0987 654 321}}"),
    ("vi-02", "vi", "Tuyển gấp nhân viên CSKH đi {{location=Sihanoukville|Xihanúc}}, bao vé máy bay. Tele: {{telegram=tuyendung_kh|@tuyendung_kh}}, sđt {{phone=+84912223344|091.222.3344}}"),
    ("vi-03", "vi", "Lương cứng {{money=VND 20000000/month|20tr/tháng}} + hoa hồng. Làm ở {{location=Bavet|Ba Vét}}. Inbox {{messenger,url=vieclam.nuocngoai|m.me/vieclam.nuocngoai}}"),
    ("vi-04", "vi", "Cần 20 bạn nữ {{age=18-25|18-25}} tuổi, sang {{location=Myanmar|Myanmar}} làm online. Zalo: {{zalo,url=+84356789012|zalo.me/0356789012}}"),
    ("vi-05", "vi", "Đón tại {{location=Ho Chi Minh City|TP.HCM}}, qua {{location=Phnom Penh|Phnom Penh}}. Lương {{money=USD 1000/month|1000 USD/tháng}}. Email: {{email=tuyendung.kh@gmail.com|tuyendung.kh@gmail.com}}"),
    ("vi-06", "vi", "Telegram: {{telegram=vieclam_cpc|v i e c l a m _ c p c}} — không cần kinh nghiệm, {{money=VND 500000/day|500k/ngày}}"),
    ("vi-07", "vi", "Hỗ trợ visa đi {{location=Thailand|Thái Lan}} rồi sang {{location=Myawaddy|Myawaddy}}. Hotline {{phone=+84903123456|０９０３ １２３ ４５６}}"),
    ("vi-08", "vi", "Nạp cọc {{money=USDT 100|100 USDT}} vào ví {{crypto_wallet|$TRON3}} để giữ chỗ. Liên hệ {{telegram,url=giucho_vn|https://t.me/giucho_vn}}"),
    ("vi-09", "vi", "Tuyển nhân viên nhập liệu tại {{location=Laos|Lào}}, {{money=VND 25000000/month|25 triệu đồng/tháng}}. Gọi {{phone=+84978111222|0978\u200b111\u200b222}}"),
    ("vi-10", "vi", "Việc làm {{location=Golden Triangle|Tam Giác Vàng}}, ăn ở miễn phí, tuổi {{age=18-35|18-35}}. Zalo {{phone,zalo=+84868555777|0868 555 777}} hoặc {{email=hr.tamgiacvang@outlook.com|hr.tamgiacvang@Outlook.com}}"),
    # --- Thai -----------------------------------------------------------------------------
    ("th-01", "th", "รับสมัครแอดมินออนไลน์ ทำงานที่{{location=Poipet|ปอยเปต}} {{location=Cambodia|กัมพูชา}} เงินเดือน {{money=THB 30000/month|30,000 บาท/เดือน}} ไลน์ไอดี: {{line=poipet_job|poipet_job}}"),
    ("th-02", "th", "อายุ {{age=20-35|20-35}} ปี ทักไลน์ {{line,url=thaijobs|https://line.me/R/ti/p/@thaijobs}} หรือโทร {{phone=+66812345678|๐๘๑ ๒๓๔ ๕๖๗๘}}"),
    ("th-03", "th", "งานง่าย ได้เงินดี ที่{{location=Myawaddy|เมียวดี}} รายได้ {{money=THB 1500/day|1,500 บาท/วัน}} ติดต่อ Telegram {{telegram=mw_jobs_th|@mw_jobs_th}}"),
    ("th-04", "th", "บินฟรีจาก{{location=Bangkok|กรุงเทพ}} ไป{{location=Dubai|ดูไบ}} โทร {{phone=+66923456789|092-345-6789}} อีเมล {{email=hr.dubaijob@hotmail.com|hr.dubaijob@hotmail.com}}"),
    ("th-05", "th", "ไลน์: {{line=jobasia99|@jobasia99}} เงินเดือน {{money=USD 1200/month|1200 USD/เดือน}} ทำงาน{{location=Laos|ประเทศลาว}}"),
    ("th-06", "th", "ด่วน! รับพนักงานพิมพ์งาน {{location=Mae Sot|แม่สอด}} ข้ามไป{{location=Myanmar|เมียนมา}} WhatsApp {{phone,whatsapp=+66851112233|+๖๖ ๘๕ ๑๑๑ ๒๒๓๓}}"),
    ("th-07", "th", "โอนค่าสมัคร {{money=THB 3000|3,000 บาท}} ผ่าน USDT {{crypto_wallet|$TRON4}} แล้วแจ้งที่ {{url|www.thai-overseas-job.example/pay}}"),
    ("th-08", "th", "อายุ {{age=18-40|18-40}} ปี ทำงาน{{location=Sihanoukville|สีหนุวิลล์}} ติดต่อ{{line,url=sihanouk_th|lin.ee/sihanouk_th}}"),
    ("th-09", "th", "ไลน์ไอดี : {{line=jobs_tachilek|j o b s _ t a c h i l e k}} งาน{{location=Tachileik|ท่าขี้เหล็ก}} เงินดี {{money=THB 45000/month|45000 บาท/เดือน}}"),
    # --- Chinese --------------------------------------------------------------------------
    ("zh-01", "zh", "{{location=Sihanoukville|西港}}高薪招聘客服，{{money=CNY 30000/month|月薪3万元}}，包吃包住。微信：{{wechat=xg_hr888|xg_hr888}}，飞机：{{telegram=xg_hr888|@xg_hr888}}"),
    ("zh-02", "zh", "{{location=Myawaddy|妙瓦底}}急招打字员，年龄{{age=18-35|18-35}}岁，{{money=USDT 1500/month|月薪1500U}}。电话{{phone=+8613912345678|139 1234 5678}}"),
    ("zh-03", "zh", "{{location=KK Park|KK园区}}直招，包机票，工资{{money=USD 2000/month|2000美金/月}}。联系邮箱 {{email=kk_zhaopin@163.com|kk_zhaopin@163.com}}"),
    ("zh-04", "zh", "V信：{{wechat=bocai_boss|bocai_boss}}  QQ群详谈。地点：{{location=Cambodia|柬埔寨}}{{location=Phnom Penh|金边}}，日薪{{money=CNY 500/day|500元}}"),
    ("zh-05", "zh", "押金{{money=USDT 200|200 USDT}}打到{{crypto_wallet|$TRON5}}，到岗返还。{{location=Golden Triangle|金三角}}特区。飞机 {{telegram,url=jsj_zhaopin|t.me/jsj_zhaopin}}"),
    ("zh-06", "zh", "{{location=Laukkai|果敢}}项目，{{money=CNY 20000/month|月入2万元}}，联系电话：{{phone=+8618612345678|＋８６　１８６　１２３４　５６７８}}"),
    ("zh-07", "zh", "{{location=Dubai|迪拜}}转{{location=Bangkok|曼谷}}，落地有人接。Telegram：{{telegram=dubai_zp01|@dubai_zp01}} 网站 {{url|https://zp-asia.example/job?id=77}}"),
    ("zh-08", "zh", "微 信 号：{{wechat=kkyq2025|k k y q 2 0 2 5}}，{{location=Shwe Kokko|亚太新城}}高薪诚聘"),
    ("zh-09", "zh", "薪资可用ETH结算：{{crypto_wallet|$EVM2}}。年龄{{age=20-40|20至40}}岁。Email：{{email=jobs_sea@qq.com|Jobs_SEA@QQ.com}}"),
    # --- Indonesian -----------------------------------------------------------------------
    ("id-01", "id", "Lowongan CS di {{location=Cambodia|Kamboja}}, gaji {{money=USD 1000/month|1000 USD/bulan}}, usia {{age=18-35|18-35}}. Hubungi WA {{phone,whatsapp=+6281234567890|0812-3456-7890}}"),
    ("id-02", "id", "Kerja di {{location=Thailand|Thailand}} lanjut ke {{location=Myawaddy|Myawaddy}}. Gaji {{money=IDR 15000000/month|Rp 15 juta/bulan}}. Telegram: {{telegram=lokerasia_id|lokerasia_id}}"),
    ("id-03", "id", "Tiket pesawat gratis dari {{location=Kuala Lumpur|Kuala Lumpur}}. Kirim CV ke {{email=loker.kamboja@gmail.com|loker.kamboja [at] gmail [dot] com}} atau {{whatsapp,url=+6285712345678|https://wa.me/6285712345678}}"),
    ("id-04", "id", "Butuh admin online {{location=Sihanoukville|Sihanoukville}}, usia {{age=20-30|20 - 30}} tahun. WA: {{phone,whatsapp=+6287812345678|+62 878\u200b1234\u200b5678}}"),
    ("id-05", "id", "Biaya pendaftaran {{money=IDR 2500000|Rp2.500.000}} transfer atau USDT ke {{crypto_wallet|$EVM3}}. Info {{url|https://loker-luar-negeri.example}}"),
    ("id-06", "id", "Tele: {{telegram=hrd_poipet|@ h r d _ p o i p e t}} | lokasi {{location=Poipet|Poipet}} | gaji {{money=USD 1500/month|$1500/bulan}}"),
    ("id-07", "id", "Info lengkap di {{messenger,url=lokerasean.official|m.me/lokerasean.official}}, penempatan {{location=Laos|Laos}} dan {{location=Myanmar|Myanmar}}. Telp {{phone=+6282112345678|0821 1234 5678}}"),
    ("id-08", "id", "Теlеgram {{telegram=agen_kamboja|@agen_kаmboja}} — gaji {{money=IDR 20000000/month|20 juta per bulan}}, {{location=Bavet|Bavet}}"),
    # --- Tagalog --------------------------------------------------------------------------
    ("tl-01", "tl", "Hiring CSR sa {{location=Cambodia|Cambodia}}! Sahod {{money=USD 1200/month|$1,200 kada buwan}}, edad {{age=21-35|21-35}}. PM lang o text {{phone=+639171234567|0917 123 4567}}"),
    ("tl-02", "tl", "Libreng pamasahe papuntang {{location=Bangkok|Bangkok}} tapos {{location=Mae Sot|Mae Sot}}. Telegram {{telegram=pinoy_hiring_th|@pinoy_hiring_th}}, email {{email=pinoy.hiring@gmail.com|Pinoy.Hiring@gmail.com}}"),
    ("tl-03", "tl", "Placement fee {{money=PHP 10000|P10,000}} lang! Trabaho sa {{location=Myawaddy|Myawaddy}}. WA {{phone,whatsapp=+639281234567|+63 928 123 4567}}"),
    ("tl-04", "tl", "Sahod {{money=PHP 60000/month|₱60,000/buwan}}, encoder sa {{location=Phnom Penh|Phnom Penh}}. Message kami sa {{messenger,url=trabahoabroad.ph|https://m.me/trabahoabroad.ph}}"),
    ("tl-05", "tl", "Mag-apply: {{url|https://tinyurl.com/pinoy-csr-kh}} o tawag {{phone=+639998887766|０９９９ ８８８ ７７６６}}. {{location=Philippines|Philippines}} to {{location=Sihanoukville|Sihanoukville}}"),
    ("tl-06", "tl", "Sign-in bonus {{money=PHP 25000|P25,000}}, edad {{age=18-30|18 hanggang 30}}. Telegram: {{telegram=bpo_kh_ph|b p o _ k h _ p h}}"),
    ("tl-07", "tl", "Bayad sa BTC: {{crypto_wallet|$BECH1}}. Tourist visa lang papuntang {{location=Dubai|Dubai}}. Viber/WA {{phone,whatsapp=+639175554433|+63 917 555 4433}}"),
    # --- Malay ----------------------------------------------------------------------------
    ("ms-01", "ms", "Kerja senang gaji lumayan {{money=MYR 5000/month|RM5,000 sebulan}} di {{location=Cambodia|Kemboja}}. WhatsApp {{phone,whatsapp=+60123456789|012-345 6789}}"),
    ("ms-02", "ms", "Umur {{age=18-30|18-30}} tahun, kerja {{location=Sihanoukville|Sihanoukville}}. Telegram {{telegram=kerja_kh_my|@kerja_kh_my}}, emel {{email=kerja.luar@yahoo.com|kerja.luar@yahoo.com}}"),
    ("ms-03", "ms", "Tiket kapal terbang percuma dari {{location=Kuala Lumpur|Kuala Lumpur}} ke {{location=Bangkok|Bangkok}}. Gaji {{money=MYR 8000/month|RM 8000/bulan}}. Hubungi {{whatsapp,url=+60198765432|wa.me/60198765432}}"),
    ("ms-04", "ms", "Yuran proses {{money=MYR 1500|RM1500}} ke {{crypto_wallet|$BTC2}}. Info {{url|www.kerja-asia.example}} atau {{phone=+60167778899|+６０ １６ ７７７ ８８９９}}"),
    # --- Khmer ----------------------------------------------------------------------------
    ("km-01", "km", "ជ្រើសរើសបុគ្គលិកនៅ{{location=Sihanoukville|ព្រះសីហនុ}} ប្រាក់ខែ {{money=USD 800/month|800 ដុល្លារ/ខែ}} ទាក់ទង Telegram {{telegram=kh_jobs_sv|@kh_jobs_sv}} ឬ {{phone=+85512345678|012 345 678}}"),
    ("km-02", "km", "ការងារនៅ{{location=Bavet|បាវិត}} {{location=Cambodia|កម្ពុជា}} អាយុ {{age=18-35|១៨-៣៥}} ឆ្នាំ ទូរស័ព្ទ {{phone=+85598765432|០៩៨ ៧៦៥ ៤៣២}}"),
    ("km-03", "km", "ទាក់ទងតាម Telegram {{telegram,url=poipet_work|https://t.me/poipet_work}} ការងារ{{location=Poipet|ប៉ោយប៉ែត}} ប្រាក់ខែ {{money=USD 1000/month|$1000/ខែ}}"),
    ("km-04", "km", "អ៊ីមែល {{email=hr.kampuchea@gmail.com|hr.kampuchea@gmail.com}} WhatsApp {{phone,whatsapp=+855963334444|+855 96 333 4444}} {{location=Phnom Penh|ភ្នំពេញ}}"),
    # --- Burmese --------------------------------------------------------------------------
    ("my-01", "my", "{{location=Myawaddy|မြဝတီ}}တွင် အလုပ်ခေါ်နေသည် လစာ {{money=USD 1000/month|1000 USD/လ}} Telegram {{telegram=mm_jobs_mwd|@mm_jobs_mwd}} ဖုန်း {{phone=+959791234567|09 791 234 567}}"),
    ("my-02", "my", "{{location=Thailand|ထိုင်း}} မှ {{location=Shwe Kokko|ရွှေကုက္ကို}} အသက် {{age=18-30|၁၈-၃၀}} Viber {{phone=+959450012345|၀၉ ၄၅၀ ၀၁၂ ၃၄၅}}"),
    ("my-03", "my", "အလုပ်အကိုင် {{location=Tachileik|တာချီလိတ်}} အီးမေးလ် {{email=mm.jobs.asia@gmail.com|mm.jobs.asia@gmail.com}} ဝက်ဘ်ဆိုက် {{url|https://mm-asia-jobs.example}}"),
    # --- mixed / harder -------------------------------------------------------------------
    ("en-19", "en", "tg: {{telegram=fast_hire_kh|fast_hire_kh}} / line: {{line=fasthire|fasthire}} / ig not used. Wallet for deposit {{crypto_wallet|$BECH2}} ({{money=USD 100|$100}})."),
    ("en-20", "en", "Our office is in {{location=Phnom Penh|Phnom Penh}} ({{location=Cambodia|Cambodia}}). Apply on {{url|https://www.example-bpo-careers.example/jobs/123}}; no fees."),
    ("en-21", "en", "Recruiter {{telegram=asia_talent_hq|@asia_talent_hq}} on tele; backup {{telegram,url=asia_talent_hq2|telegram.me/asia_talent_hq2}}; phone {{phone=+85587654321|+855-87-654-321}}"),
    ("vi-11", "vi", "ĐT/Zalo: {{phone,zalo=+84931234567|0 9 3 1 2 3 4 5 6 7}} – đi {{location=Cambodia|Cam-pu-chia}} làm sale online {{money=VND 30000000/month|30 triệu/tháng}}"),
    ("th-10", "th", "ติดต่อ WA {{whatsapp,url=+66861234567|https://api.whatsapp.com/send?phone=66861234567}} งาน{{location=Bangkok|กทม}} แล้วย้ายไป{{location=Cambodia|เขมร}}"),
    ("zh-10", "zh", "{{location=Bavet|巴域}}招聘，{{money=CNY 15000/month|月薪1.5万元}}，TG：{{telegram=bavet_zp|bavet_zp}}，手机：{{phone=+8615012345678|150\u200b1234\u200b5678}}"),
    ("id-09", "id", "Penempatan {{location=Philippines|Filipina}}, gaji {{money=USD 900/month|900 dolar/bulan}}. Email {{email=hrd.asia@outlook.com|hrd.asia(at)outlook.com}}"),
    ("tl-08", "tl", "Trabaho sa {{location=Laos|Laos}} at {{location=Golden Triangle|Golden Triangle}}. Edad {{age=18-30|18-30}}. Tg {{telegram=gtsez_ph|@gtsez_ph}}"),
]


def build(post_id: str, lang: str, marked: str) -> dict:
    text, ents, pos, last = [], [], 0, 0
    for m in MARK.finditer(marked):
        text.append(marked[last:m.start()])
        pos += m.start() - last
        types, value, surface = m.group(1).split(","), m.group(2), m.group(3)
        surface = WALLETS.get(surface, surface)
        for t in types:
            v = surface if value is None or t in ("url", "crypto_wallet") else value
            ents.append({"type": t, "value": v, "start": pos, "end": pos + len(surface)})
        text.append(surface)
        pos += len(surface)
        last = m.end()
    text.append(marked[last:])
    return {"id": post_id, "lang": lang, "text": "".join(text), "entities": ents}


E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MONEY = re.compile(r"^[A-Z]{3,4} \d+(/(hour|day|week|month))?$")
AGE = re.compile(r"^\d{2}(-\d{2}|\+)$")


def validate(rows: list[dict]) -> list[str]:
    """Problems with the gold rows (empty list: well-formed)."""
    import phonenumbers

    from pipeline.extractors.wallets import valid_bech32, valid_btc_base58, valid_evm, valid_tron

    problems, ids = [], set()
    for row in rows:
        rid = row.get("id")
        if set(row) != {"id", "lang", "text", "entities"} or rid in ids:
            problems.append(f"{rid}: bad keys or duplicate id")
        ids.add(rid)
        for e in row["entities"]:
            where = f"{rid} {e}"
            if e["type"] not in TYPES:
                problems.append(f"{where}: unknown type")
            if not (0 <= e["start"] < e["end"] <= len(row["text"])):
                problems.append(f"{where}: span outside text")
            v = e["value"]
            if e["type"] in ("phone", "whatsapp") or (e["type"] == "zalo" and v.startswith("+")):
                if not (E164.match(v) and phonenumbers.is_valid_number(phonenumbers.parse(v))):
                    problems.append(f"{where}: not a valid E.164 number")
            elif e["type"] in ("telegram", "line", "wechat", "messenger") and (v != v.lower() or v.startswith("@")):
                problems.append(f"{where}: handle not lower case without @")
            elif e["type"] == "email" and (v != v.lower() or v.count("@") != 1):
                problems.append(f"{where}: e-mail not normalized")
            elif e["type"] == "crypto_wallet":
                if v != row["text"][e["start"]:e["end"]] or not (valid_tron(v) or valid_evm(v) or valid_btc_base58(v) or valid_bech32(v)):
                    problems.append(f"{where}: wallet not as written or checksum invalid")
            elif e["type"] == "money" and not MONEY.match(v):
                problems.append(f"{where}: money not '<CUR> <amount>[/period]'")
            elif e["type"] == "age" and not AGE.match(v):
                problems.append(f"{where}: age not 'min-max' or 'min+'")
            elif e["type"] == "url" and v != row["text"][e["start"]:e["end"]]:
                problems.append(f"{where}: url not as written")
    return problems


def load(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        rows = [build(*p) for p in POSTS]
        GOLD.parent.mkdir(parents=True, exist_ok=True)
        GOLD.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    rows = load()
    problems = validate(rows)
    for p in problems:
        print(p, file=sys.stderr)
    n = sum(len(r["entities"]) for r in rows)
    print(f"{GOLD}: {len(rows)} posts, {n} entity spans, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv[1:]))
