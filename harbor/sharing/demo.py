"""Demo records in nine languages from the demo organisations; all labelled as demo (sample) content."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from harbor.core.demo import demo_loader
from harbor.directory.models import Organisation, User
from harbor.directory.services import build_actor
from harbor.sharing import services
from harbor.sharing.models import Record

# owner slug, acting user, external id, fields
RECORDS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "pejabat-fasilitasi-perdagangan",
        "aisyah",
        "demo-my-halal-2026",
        {
            "kind": "regulation",
            "title": {
                "ms": "Notis contoh: keperluan pensijilan halal untuk import makanan diproses"
            },
            "summary": {
                "ms": "Contoh notis peraturan untuk demonstrasi. Pengimport makanan diproses perlu mengemukakan sijil halal yang diiktiraf."
            },
            "topics": ["halal", "food-safety"],
            "hs_codes": ["2106", "1905"],
            "countries": ["MY"],
            "audience": "public",
            "effective_date": "2026-12-01",
        },
    ),
    (
        "guangxi-bamboo-crafts",
        "mei",
        "demo-cn-bamboo-offer",
        {
            "kind": "opportunity",
            "title": {"zh-hans": "示例：竹制家具出口合作，寻找泰国和越南经销商"},
            "summary": {
                "zh-hans": "演示数据。南宁竹艺公司寻找东盟经销商，产品包括竹椅、竹桌（HS 9401、9403）。"
            },
            "topics": ["furniture", "bamboo"],
            "hs_codes": ["9401", "9403"],
            "countries": ["TH", "VN"],
            "details": {"opportunity_type": "sell"},
            "audience": "members",
        },
    ),
    (
        "saigon-electronics-import",
        "linh",
        "demo-vn-electronics-buy",
        {
            "kind": "opportunity",
            "title": {"vi": "Ví dụ: Cần mua bộ nguồn và linh kiện điện tử từ Trung Quốc"},
            "summary": {
                "vi": "Dữ liệu mẫu. Công ty cần nhà cung cấp bộ chuyển đổi tĩnh (HS 850440) cho dây chuyền lắp ráp."
            },
            "topics": ["electronics"],
            "hs_codes": ["850440"],
            "countries": ["CN"],
            "details": {"opportunity_type": "buy"},
            "audience": "countries",
            "audience_countries": ["CN", "VN"],
        },
    ),
    (
        "siam-cold-chain",
        "somchai",
        "demo-th-durian-route",
        {
            "kind": "notice",
            "title": {"th": "ตัวอย่าง: ประกาศเส้นทางขนส่งทุเรียนแช่เย็นกรุงเทพฯ–หนานหนิง"},
            "summary": {"th": "ข้อมูลตัวอย่าง บริการขนส่งควบคุมอุณหภูมิสัปดาห์ละสามเที่ยวผ่านด่านโหย่วอี้กวน"},
            "topics": ["logistics", "durian"],
            "hs_codes": ["081060"],
            "countries": ["TH", "CN"],
            "audience": "public",
        },
    ),
    (
        "tim-tanggap-insiden-siber",
        "budi",
        "demo-id-phishing",
        {
            "kind": "advisory",
            "title": {"id": "Contoh: Peringatan phishing faktur palsu terhadap eksportir"},
            "summary": {
                "id": "Data contoh. Kampanye phishing menyamar sebagai faktur pengiriman menargetkan eksportir kopi."
            },
            "topics": ["cyber-security", "phishing"],
            "countries": ["ID", "MY", "SG"],
            "audience": "members",
        },
    ),
    (
        "samahan-ng-mamimili",
        "maria",
        "demo-ph-consumer",
        {
            "kind": "public_service",
            "title": {
                "fil": "Halimbawa: Paalala sa mga mamimili tungkol sa pagbili online mula sa ibang bansa"
            },
            "summary": {
                "fil": "Sample na datos. Suriin ang nagbebenta at ang patakaran sa pagbabalik bago magbayad."
            },
            "topics": ["consumer-protection"],
            "countries": ["PH"],
            "details": {"service_area": "employment"},
            "audience": "public",
        },
    ),
    (
        "mekong-digital-institute",
        "sokha",
        "demo-kh-rice-dataset",
        {
            "kind": "dataset",
            "title": {"km": "ឧទាហរណ៍៖ ទិន្នន័យការនាំចេញអង្ករប្រចាំខែ"},
            "summary": {"km": "ទិន្នន័យគំរូសម្រាប់ការបង្ហាញ។ បរិមាណនាំចេញអង្ករតាមគោលដៅ។"},
            "topics": ["rice", "statistics"],
            "hs_codes": ["1006"],
            "countries": ["KH", "CN"],
            "links": [
                {"url": "https://example.org/demo/rice-exports.csv", "label": "CSV (sample)"}
            ],
            "audience": "public",
        },
    ),
    (
        "vientiane-coffee-exporters",
        "khamla",
        "demo-la-coffee",
        {
            "kind": "opportunity",
            "title": {"lo": "ຕົວຢ່າງ: ຂາຍກາເຟອາຣາບິກາຈາກພູພຽງບໍລະເວນ"},
            "summary": {"lo": "ຂໍ້ມູນຕົວຢ່າງ. ກາເຟຄົ່ວ ແລະ ກາເຟດິບ ສຳລັບຜູ້ນຳເຂົ້າຈີນ."},
            "topics": ["coffee"],
            "hs_codes": ["0901"],
            "countries": ["CN"],
            "details": {"opportunity_type": "sell"},
            "audience": "public",
        },
    ),
    (
        "yangon-garment-works",
        "thandar",
        "demo-mm-garments",
        {
            "kind": "notice",
            "title": {"my": "နမူနာ - အထည်ချုပ်ထုတ်ကုန် တင်ပို့ရန် အမှာစာလက်ခံခြင်း"},
            "summary": {"my": "နမူနာဒေတာ။ ချည်ထည်အင်္ကျီများ ထုတ်လုပ်ပေးနိုင်ပါသည်။"},
            "topics": ["garments"],
            "hs_codes": ["6109"],
            "countries": ["MM"],
            "audience": "public",
        },
    ),
    (
        "lion-city-pay",
        "wei",
        "demo-sg-escrow",
        {
            "kind": "notice",
            "title": {
                "en": "Sample: escrow for first-time cross-border buyers",
                "ta": "மாதிரி: முதல் முறை எல்லை தாண்டிய வாங்குபவர்களுக்கான எஸ்க்ரோ",
            },
            "original_language": "en",
            "summary": {
                "en": "Demo data. Payment held until the logistics provider confirms delivery."
            },
            "topics": ["payments"],
            "countries": ["SG", "CN"],
            "audience": "public",
        },
    ),
]


@demo_loader("sharing", order=20)
def load_demo_records() -> list[str]:
    """Publish the demo records that are missing (by external id); existing ones are left as they are."""
    created = 0
    for slug, username, external_id, fields in RECORDS:
        organisation = Organisation.objects.filter(slug=slug).first()
        user = User.objects.filter(username=username).first()
        if organisation is None or user is None:
            continue
        if Record.objects.filter(owner=organisation, external_id=external_id).exists():
            continue
        actor = build_actor(user, organisation=organisation)
        with transaction.atomic():
            services.create_record(
                actor=actor, data=fields, publish=True, external_id=external_id, is_demo=True
            )
        created += 1
    return [f"Demo records: {created} published, {len(RECORDS) - created} already there."]
