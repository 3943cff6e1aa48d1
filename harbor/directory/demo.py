"""Demo organisations and people: fictional, spread over the member states and kinds, labelled demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from harbor.core.actors import Actor
from harbor.core.demo import DEMO_PASSWORD, demo_loader
from harbor.directory import services
from harbor.directory.choices import Verification
from harbor.directory.models import Membership, Organisation, User


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    language: str
    country: str
    kind: str
    verification: str
    name_en: str
    description: dict[str, str] = field(default_factory=dict)


ORGANISATIONS = [
    DemoOrganisation(
        "guangxi-bamboo-crafts",
        "广西竹艺有限公司",
        "zh-hans",
        "CN",
        "enterprise",
        Verification.VERIFIED,
        "Guangxi Bamboo Crafts Co., Ltd.",
        {
            "zh-hans": "南宁的竹制家具制造商，出口越南和泰国。",
            "en": "Bamboo furniture maker in Nanning exporting to Viet Nam and Thailand.",
        },
    ),
    DemoOrganisation(
        "saigon-electronics-import",
        "Công ty TNHH Nhập khẩu Điện tử Sài Gòn",
        "vi",
        "VN",
        "enterprise",
        Verification.VERIFIED,
        "Saigon Electronics Import Co., Ltd.",
        {
            "vi": "Nhà nhập khẩu linh kiện điện tử tại Thành phố Hồ Chí Minh.",
            "en": "Importer of electronic components in Ho Chi Minh City.",
        },
    ),
    DemoOrganisation(
        "siam-cold-chain",
        "บริษัท สยามโคลด์เชน โลจิสติกส์ จำกัด",
        "th",
        "TH",
        "logistics",
        Verification.VERIFIED,
        "Siam Cold Chain Logistics Co., Ltd.",
        {
            "th": "ขนส่งสินค้าควบคุมอุณหภูมิระหว่างกรุงเทพฯ และหนานหนิง",
            "en": "Temperature-controlled freight between Bangkok and Nanning.",
        },
    ),
    DemoOrganisation(
        "lion-city-pay",
        "Lion City Pay Pte. Ltd.",
        "en",
        "SG",
        "payment",
        Verification.VERIFIED,
        "Lion City Pay Pte. Ltd.",
        {"en": "Cross-border payments and escrow for SMEs."},
    ),
    DemoOrganisation(
        "pejabat-fasilitasi-perdagangan",
        "Pejabat Fasilitasi Perdagangan",
        "ms",
        "MY",
        "government",
        Verification.VERIFIED,
        "Trade Facilitation Office",
        {
            "ms": "Agensi contoh yang menerbitkan notis peraturan perdagangan.",
            "en": "Sample agency publishing trade regulation notices.",
        },
    ),
    DemoOrganisation(
        "tim-tanggap-insiden-siber",
        "Tim Tanggap Insiden Siber Nusantara",
        "id",
        "ID",
        "cert",
        Verification.VERIFIED,
        "Nusantara Cyber Incident Response Team",
        {
            "id": "Tim tanggap insiden contoh untuk saluran CERT.",
            "en": "Sample incident response team for the CERT channel.",
        },
    ),
    DemoOrganisation(
        "samahan-ng-mamimili",
        "Samahan ng mga Mamimili ng Pilipinas",
        "fil",
        "PH",
        "consumer",
        Verification.VERIFIED,
        "Philippine Consumers' Association",
        {
            "fil": "Samahang nagtatanggol sa mga mamimili sa kalakalang online.",
            "en": "Association defending consumers in online trade.",
        },
    ),
    DemoOrganisation(
        "mekong-digital-institute",
        "វិទ្យាស្ថានសេដ្ឋកិច្ចឌីជីថលមេគង្គ",
        "km",
        "KH",
        "research",
        Verification.VERIFIED,
        "Mekong Digital Economy Institute",
        {
            "km": "វិទ្យាស្ថានស្រាវជ្រាវអំពីសេដ្ឋកិច្ចឌីជីថល។",
            "en": "Research on the digital economy of the Mekong region.",
        },
    ),
    DemoOrganisation(
        "vientiane-coffee-exporters",
        "ບໍລິສັດ ສົ່ງອອກກາເຟ ວຽງຈັນ",
        "lo",
        "LA",
        "enterprise",
        Verification.UNVERIFIED,
        "Vientiane Coffee Exporters",
        {"lo": "ຜູ້ສົ່ງອອກກາເຟຈາກພູພຽງບໍລະເວນ.", "en": "Coffee exporter from the Bolaven Plateau."},
    ),
    DemoOrganisation(
        "yangon-garment-works",
        "ရန်ကုန် အထည်ချုပ်လုပ်ငန်း",
        "my",
        "MM",
        "enterprise",
        Verification.PENDING,
        "Yangon Garment Works",
        {"my": "အထည်ချုပ်ထုတ်လုပ်သူ။", "en": "Garment manufacturer."},
    ),
]

# username, email, organisation slug, role; the first is platform staff.
PEOPLE = [
    ("admin", "admin@demo.infoharbor.org", None, None),
    ("mei", "mei@demo.infoharbor.org", "guangxi-bamboo-crafts", "owner"),
    ("linh", "linh@demo.infoharbor.org", "saigon-electronics-import", "owner"),
    ("somchai", "somchai@demo.infoharbor.org", "siam-cold-chain", "owner"),
    ("wei", "wei@demo.infoharbor.org", "lion-city-pay", "owner"),
    ("aisyah", "aisyah@demo.infoharbor.org", "pejabat-fasilitasi-perdagangan", "owner"),
    ("budi", "budi@demo.infoharbor.org", "tim-tanggap-insiden-siber", "owner"),
    ("maria", "maria@demo.infoharbor.org", "samahan-ng-mamimili", "owner"),
    ("sokha", "sokha@demo.infoharbor.org", "mekong-digital-institute", "owner"),
    ("khamla", "khamla@demo.infoharbor.org", "vientiane-coffee-exporters", "owner"),
    ("thandar", "thandar@demo.infoharbor.org", "yangon-garment-works", "owner"),
    ("jun", "jun@demo.infoharbor.org", "guangxi-bamboo-crafts", "viewer"),
]


def _ensure_user(username: str, email: str, *, staff: bool, actor: Actor) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.create_user(
            username=username, email=email, password=DEMO_PASSWORD, is_staff=staff, actor=actor
        )
    return user


@demo_loader("directory", order=10)
def load_demo_directory() -> list[str]:
    """Create the demo organisations and people that are missing; leave existing ones untouched."""
    system = Actor.system("demo")
    for spec in ORGANISATIONS:
        if Organisation.objects.filter(slug=spec.slug).exists():
            continue
        organisation = services.create_organisation(
            actor=system,
            slug=spec.slug,
            name=spec.name,
            language=spec.language,
            country=spec.country,
            kind=spec.kind,
            description=spec.description,
            name_translations={"en": spec.name_en},
            is_demo=True,
        )
        if spec.verification == Verification.PENDING:
            services.request_verification(organisation, actor=system)
        elif spec.verification != Verification.UNVERIFIED:
            services.set_verification(organisation, actor=system, status=spec.verification)
    for username, email, slug, role in PEOPLE:
        user = _ensure_user(username, email, staff=slug is None, actor=system)
        if slug is None or role is None:
            continue
        organisation = Organisation.objects.get(slug=slug)
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            services.add_member(organisation, actor=system, user=user, role=role)
        if user.active_organisation_id is None:
            services.switch_organisation(user, organisation=organisation)
    lines = ["", "Demo accounts (sample data), all with the password " + DEMO_PASSWORD + ":"]
    for username, _email, slug, role in PEOPLE:
        lines.append(
            f"  {username:<8} {('platform staff' if slug is None else f'{role} of {slug}')}"
        )
    return lines
