"""Synthetic multilingual trade texts for benchmarks: sentences in the twelve content languages,
combined at random. Benchmark data only; never loaded into a running platform."""

from __future__ import annotations

import random

SENTENCES: dict[str, list[str]] = {
    "en": [
        "Rules of origin for bamboo furniture exported to Thailand",
        "New import tariff on electric vehicles takes effect next month",
        "Cold chain logistics route between Bangkok and Nanning",
        "Phishing campaign targets coffee exporters with fake invoices",
        "Certificate of origin Form E must match the commercial invoice",
    ],
    "zh-hans": [
        "海关总署关于进口榴莲检疫要求的公告",
        "竹制家具出口泰国的原产地规则",
        "电动汽车进口关税调整将于下月生效",
        "南宁至曼谷冷链物流线路开通",
        "网络钓鱼攻击针对咖啡出口商",
    ],
    "zh-hant": [
        "海關總署關於進口榴槤檢疫要求的公告",
        "竹製傢俱出口泰國的原產地規則",
        "電動汽車進口關稅調整將於下月生效",
    ],
    "id": [
        "Pengumuman tarif impor kopi dari Vietnam untuk eksportir kecil",
        "Peringatan phishing faktur palsu terhadap eksportir",
        "Sertifikat asal barang harus sesuai dengan faktur komersial",
    ],
    "ms": [
        "Keperluan pensijilan halal untuk import makanan diproses",
        "Notis tarif import kopi kepada pengeksport",
        "Laluan logistik rantaian sejuk antara Kuala Lumpur dan Nanning",
    ],
    "th": [
        "ประกาศกระทรวงพาณิชย์เรื่องการนำเข้าทุเรียนแช่แข็ง",
        "เส้นทางขนส่งสินค้าควบคุมอุณหภูมิระหว่างกรุงเทพฯและหนานหนิง",
        "ภาษีนำเข้ารถยนต์ไฟฟ้าจะมีผลบังคับใช้เดือนหน้า",
        "ใบรับรองถิ่นกำเนิดสินค้าต้องตรงกับใบกำกับสินค้า",
    ],
    "vi": [
        "Thông báo về thuế nhập khẩu linh kiện điện tử từ Trung Quốc",
        "Cô gái bán cà phê ở chợ biên giới Lạng Sơn",
        "Hàng hóa có xuất xứ từ Trung Quốc phải có giấy chứng nhận",
        "Quy định mới về kiểm dịch sầu riêng xuất khẩu",
    ],
    "fil": [
        "Paalala sa mga mamimili tungkol sa pagbili online mula sa ibang bansa",
        "Bagong taripa sa pag-angkat ng bigas mula sa Vietnam",
        "Sertipiko ng pinagmulan ng produkto para sa mga exporter",
    ],
    "km": [
        "ការនាំចេញអង្ករទៅប្រទេសចិនកើនឡើង",
        "វិញ្ញាបនបត្របញ្ជាក់ប្រភពដើមទំនិញសម្រាប់អ្នកនាំចេញ",
        "ពន្ធនាំចូលថ្មីលើគ្រឿងអេឡិចត្រូនិច",
    ],
    "lo": [
        "ສິນຄ້າສົ່ງອອກກາເຟຈາກພູພຽງບໍລະເວນ",
        "ລະບຽບການນຳເຂົ້າສິນຄ້າກະສິກຳຈາກຈີນ",
        "ເສັ້ນທາງລົດໄຟລາວຈີນສຳລັບຂົນສົ່ງສິນຄ້າ",
    ],
    "my": [
        "မြန်မာနိုင်ငံ ကုန်သွယ်ရေး ဝန်ကြီးဌာန ကြေညာချက်",
        "အထည်ချုပ်ထုတ်ကုန် တင်ပို့ရန် အမှာစာလက်ခံခြင်း",
        "ဆန်တင်ပို့မှု စည်းမျဉ်းအသစ်",
    ],
    "ta": [
        "சிங்கப்பூர் வர்த்தக அறிவிப்பு இறக்குமதி வரி",
        "மின்சார வாகனங்களுக்கான புதிய இறக்குமதி விதிகள்",
        "தோற்றச் சான்றிதழ் வணிக விலைப்பட்டியலுடன் பொருந்த வேண்டும்",
    ],
}
LANGUAGES = sorted(SENTENCES)
KINDS = ["notice", "regulation", "opportunity", "dataset", "advisory", "public_service"]
COUNTRIES = ["CN", "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]


def make_text(rng: random.Random, language: str, serial: int) -> str:
    sentences = SENTENCES[language]
    picked = rng.sample(sentences, k=min(len(sentences), rng.randint(1, 3)))
    return " ".join(picked) + f" {serial}"
