"""Server-rendered pages: home in every locale, directory, organisations, members, tokens, jobs, sign-in."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from harbor.core.actors import Actor
from harbor.core.errors import HarborError
from harbor.core.jobs import run_job
from harbor.core.models import Job, JobStatus
from harbor.directory import services
from harbor.directory.choices import Verification
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation, User
from harbor.reference.models import Country
from tests.factories import PASSWORD, add_member, make_organisation, make_user

UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]
SessionClient = Callable[..., Client]


# --- helpers --------------------------------------------------------------------------------------------


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def attribute_values(page: str, attribute: str) -> list[str]:
    """Values of ``attribute`` in document order, e.g. the ``data-slug`` of each directory row."""
    return [html.unescape(value) for value in re.findall(rf'\b{attribute}="([^"]*)"', page)]


def input_value(page: str, element_id: str) -> str:
    element = re.search(rf'<input\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert element is not None, f"no input #{element_id}"
    value = re.search(r'\bvalue="([^"]*)"', element.group(0))
    return html.unescape(value.group(1)) if value else ""


def field_errors(page: str) -> list[str]:
    """The messages of every error list on a page."""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, flags=re.S)
    return [html.unescape(item) for block in lists for item in re.findall(r"<li>(.*?)</li>", block)]


def make_demo_organisation(name: str, country: str, *, verified: bool = True) -> Organisation:
    system = Actor.system("test")
    organisation = services.create_organisation(
        actor=system, name=name, country=country, kind="enterprise", is_demo=True
    )
    if verified:
        services.set_verification(organisation, actor=system, status=Verification.VERIFIED)
    return organisation


@pytest.fixture
def directory(org: Organisation, outsider: User) -> dict[str, Organisation]:
    """Hanoi Ceramics (VN enterprise), Bangkok Trading (TH enterprise), Saigon Freight (VN logistics),
    and Hanoi Lacquer (VN, unverified, owned by ``lacquer_owner``)."""
    lacquer_owner = make_user("lacquer_owner")
    return {
        "hanoi": org,
        "bangkok": Organisation.objects.get(name="Bangkok Trading"),
        "saigon": make_organisation(name="Saigon Freight", country="VN", kind="logistics"),
        "lacquer": make_organisation(
            owner=lacquer_owner, name="Hanoi Lacquer", country="VN", verified=False
        ),
    }


# --- home, locales, security headers --------------------------------------------------------------------


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_home_is_served_in_each_ui_locale(db: None, language: str) -> None:
    # given a browser that asks for one of the eleven UI languages
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    # when it opens the home page
    response = client.get("/")
    # then the page declares that language and names the member states in it (CLDR)
    page = text(response)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert response["Content-Language"] == language
    viet_nam = Country.objects.get(code="VN").names[language]
    assert f'href="/directory/?country=VN">{html.escape(viet_nam)}</a>' in page
    assert f'<option value="{language}" lang="{language}" selected>' in page


def test_home_presents_the_five_platforms_and_what_exists(db: None) -> None:
    page = text(Client().get("/"))
    platforms = re.findall(r'data-platform="([a-z]+)">.*?data-status="([a-z]+)"', page, flags=re.S)
    assert platforms == [
        ("sharing", "partial"),
        ("trade", "partial"),
        ("infrastructure", "coming"),
        ("cooperation", "partial"),
        ("culture", "coming"),
    ]
    assert '<a href="/directory/">Directory of verified organisations</a>' in page


def test_home_counts_visible_organisations_per_member_state_and_labels_demo(
    directory: dict[str, Organisation],
) -> None:
    # given two verified and one unverified organisation in VN, one in TH, and a demo one in LA
    make_demo_organisation("Vientiane Demo Coffee", "LA")
    # when an anonymous visitor opens the home page
    page = text(Client().get("/"))
    # then the counts include verified organisations only, and the demo one is labelled
    totals = dict(re.findall(r'data-country="([A-Z]{2})">.*?data-total="(\d+)"', page, flags=re.S))
    assert len(totals) == 11
    assert {code: count for code, count in totals.items() if count != "0"} == {
        "VN": "2",
        "TH": "1",
        "LA": "1",
    }
    assert re.findall(
        r'data-country="([A-Z]{2})">(?:(?!</tr>).)*data-demo="(\d+)"', page, re.S
    ) == [("LA", "1")]
    assert "4 organisations you can see" in page


def test_members_of_an_unverified_organisation_count_it_on_home(
    directory: dict[str, Organisation], session_client: SessionClient
) -> None:
    client = session_client(User.objects.get(username="lacquer_owner"))
    page = text(client.get("/"))
    totals = dict(re.findall(r'data-country="([A-Z]{2})">.*?data-total="(\d+)"', page, flags=re.S))
    assert totals["VN"] == "3"


def parse_csp(header: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {pair[0]: pair[1] for pair in pairs}


@pytest.mark.parametrize(
    "path",
    ["/", "/directory/", "/directory/hanoi-ceramics/", "/accounts/login/", "/no-such-page/"],
)
def test_pages_send_a_strict_csp_and_have_no_inline_script_or_style(
    org: Organisation, path: str
) -> None:
    response = Client().get(path)
    assert parse_csp(response["Content-Security-Policy"]) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    page = text(response)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert re.findall(r"<style\b|\sstyle=", page) == []
    assert re.findall(r"\son[a-z]+=", page) == []
    assert attribute_values(page, "src") == [
        "/static/vendor/htmx/htmx.min.js",
        "/static/js/harbor.js",
    ]


def test_static_files_of_the_pages_are_served(db: None) -> None:
    client = Client()
    for path in (
        "/static/css/harbor.css",
        "/static/css/fonts.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/js/harbor.js",
        "/static/vendor/fonts/noto-sans-khmer/noto-sans-khmer-khmer-400-normal.woff2",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_font_stack_names_a_font_for_every_script(db: None) -> None:
    response = Client().get("/static/css/harbor.css")
    css = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert (
        '--font-sans: "Noto Sans", "Noto Sans Thai", "Noto Sans Lao", "Noto Sans Khmer", '
        '"Noto Sans Myanmar",\n    "Noto Sans Tamil", "Noto Sans CJK SC", system-ui, sans-serif;'
    ) in css


def test_the_language_switcher_lists_eleven_locales_in_their_own_names(db: None) -> None:
    page = text(Client().get("/"))
    options = re.findall(
        r'<option value="([a-z-]+)" lang="\1"(?: selected)?>([^<]+)</option>', page
    )
    # Django spells some names in decomposed form; compare what readers see
    assert [(code, unicodedata.normalize("NFC", name)) for code, name in options] == [
        ("en", "English"),
        ("zh-hans", "简体中文"),
        ("id", "Bahasa Indonesia"),
        ("ms", "Bahasa Melayu"),
        ("th", "ภาษาไทย"),
        ("vi", "Tiếng Việt"),
        ("fil", "Filipino"),
        ("km", "ខ្មែរ"),
        ("lo", "ລາວ"),
        ("my", "မြန်မာဘာသာ"),
        ("ta", "தமிழ்"),
    ]


def test_switching_language_sticks_for_the_next_pages(db: None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/directory/"})
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert '<html lang="zh-hans">' in text(client.get("/"))


# --- sign in and out ------------------------------------------------------------------------------------


def test_sign_in_and_sign_out(owner: User) -> None:
    client = Client()
    page = text(client.get("/accounts/login/?next=/account/tokens/"))
    assert 'name="next" value="/account/tokens/"' in page
    response = client.post(
        "/accounts/login/",
        {"username": "owner", "password": PASSWORD, "next": "/account/tokens/"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/"
    assert "Signed in as owner" in text(client.get("/"))
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert 'class="sign-in" href="/accounts/login/?next=/"' in text(client.get("/"))


def test_a_wrong_password_is_refused_and_repeated_failures_lock_sign_in(owner: User) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "owner", "password": "nope"}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 200
    assert "Please enter a correct username and password." in text(response)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/accounts/login/", {"username": "owner", "password": "nope"}, REMOTE_ADDR="10.0.0.2"
        )
    assert response.status_code == 429
    assert "<h1>Sign-in paused</h1>" in text(response)
    # even the right password is refused while locked
    response = client.post(
        "/accounts/login/", {"username": "owner", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "path",
    ["/account/tokens/", "/jobs/", "/directory/-/new/", "/directory/hanoi-ceramics/members/"],
)
def test_pages_for_members_send_visitors_to_sign_in(org: Organisation, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


# --- the directory --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("", ["bangkok-trading", "hanoi-ceramics", "saigon-freight"]),
        ("q=hanoi", ["hanoi-ceramics"]),
        ("q=SAIGON", ["saigon-freight"]),
        ("country=VN", ["hanoi-ceramics", "saigon-freight"]),
        ("country=TH", ["bangkok-trading"]),
        ("country=VN&kind=logistics", ["saigon-freight"]),
        ("kind=enterprise", ["bangkok-trading", "hanoi-ceramics"]),
        ("country=SG", []),
        ("q=lacquer", []),
    ],
)
def test_directory_search_and_filters_for_visitors(
    directory: dict[str, Organisation], query: str, slugs: list[str]
) -> None:
    response = Client().get(f"/directory/?{query}")
    assert response.status_code == 200
    assert attribute_values(text(response), "data-slug") == slugs


def test_unverified_organisations_are_listed_for_their_members_only(
    directory: dict[str, Organisation], session_client: SessionClient
) -> None:
    member = session_client(User.objects.get(username="lacquer_owner"))
    outsider = session_client(User.objects.get(username="outsider"))
    assert attribute_values(text(member.get("/directory/?q=hanoi")), "data-slug") == [
        "hanoi-ceramics",
        "hanoi-lacquer",
    ]
    assert attribute_values(text(outsider.get("/directory/?q=hanoi")), "data-slug") == [
        "hanoi-ceramics"
    ]
    assert outsider.get("/directory/hanoi-lacquer/").status_code == 404
    assert Client().get("/directory/hanoi-lacquer/").status_code == 404
    page = text(member.get("/directory/hanoi-lacquer/"))
    assert 'data-verification="unverified"' in page


def test_directory_htmx_request_gets_only_the_results(directory: dict[str, Organisation]) -> None:
    response = Client().get("/directory/?q=bangkok", HTTP_HX_REQUEST="true")
    page = text(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert attribute_values(page, "data-slug") == ["bangkok-trading"]
    assert response["Vary"].count("HX-Request") == 1


def test_directory_paginates(db: None) -> None:
    for number in range(23):
        make_organisation(name=f"Singapore Firm {number:02d}", country="SG")
    client = Client()
    first = text(client.get("/directory/?country=SG"))
    second = text(client.get("/directory/?country=SG&page=2"))
    assert attribute_values(first, "data-slug")[:2] == ["singapore-firm-00", "singapore-firm-01"]
    assert len(attribute_values(first, "data-slug")) == 20
    assert attribute_values(second, "data-slug") == [
        "singapore-firm-20",
        "singapore-firm-21",
        "singapore-firm-22",
    ]
    assert 'data-count="23"' in second
    assert "Page 2 of 2" in second
    assert 'href="?country=SG&amp;page=1"' in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=XX", "Country: Select a valid choice. XX is not one of the available choices."),
        ("country=US", "Country: Select a valid choice. US is not one of the available choices."),
        (
            "kind=spaceship",
            "Kind: Select a valid choice. spaceship is not one of the available choices.",
        ),
    ],
)
def test_directory_refuses_bad_filters_with_400(
    directory: dict[str, Organisation], query: str, message: str
) -> None:
    response = Client().get(f"/directory/?{query}")
    assert response.status_code == 400
    assert message in html.unescape(text(response))
    assert attribute_values(text(response), "data-slug") == []


def test_organisation_page_shows_names_country_kind_and_badges(
    db: None, session_client: SessionClient
) -> None:
    # given a verified demo organisation with a Chinese name and an English translation
    system = Actor.system("test")
    organisation = services.create_organisation(
        actor=system,
        name="广西竹艺有限公司",
        language="zh-hans",
        name_translations={"en": "Guangxi Bamboo Crafts Co., Ltd."},
        country="CN",
        kind="enterprise",
        is_demo=True,
        slug="guangxi-bamboo",
    )
    services.set_verification(organisation, actor=system, status=Verification.VERIFIED)
    # when a Thai reader opens it
    page = text(Client(HTTP_ACCEPT_LANGUAGE="th").get("/directory/guangxi-bamboo/"))
    # then the original name, its translation, the country in Thai and the badges are shown
    assert '<h1 lang="zh-hans" data-name>广西竹艺有限公司</h1>' in page
    assert '<li lang="en" data-translation="en">Guangxi Bamboo Crafts Co., Ltd.</li>' in page
    assert '<dd data-country="CN">จีน</dd>' in page
    assert 'data-verification="verified"' in page
    assert "data-demo>" in page
    # and visitors see no management buttons
    assert "/edit/" not in page
    assert "/members/" not in page


def test_organisation_page_offers_the_actions_each_person_may_take(
    org: Organisation, owner: User, viewer: User, staff: User, session_client: SessionClient
) -> None:
    def actions(user: User) -> list[str]:
        page = text(session_client(user).get("/directory/hanoi-ceramics/"))
        return re.findall(r'href="/directory/hanoi-ceramics/(members|edit)/"', page) + re.findall(
            r'name="status" value="(verified|rejected)"', page
        )

    assert actions(owner) == ["members", "edit"]
    assert actions(viewer) == ["members"]
    assert actions(staff) == ["members", "edit", "rejected"]


def test_register_an_organisation(owner: User, session_client: SessionClient) -> None:
    client = session_client(owner)
    response = client.post(
        "/directory/-/new/",
        {
            "name": "Đà Nẵng Seafood",
            "language": "vi",
            "name_en": "Da Nang Seafood",
            "country": "VN",
            "kind": "enterprise",
            "description": "Hải sản đông lạnh.",
            "website": "https://seafood.example.vn",
        },
    )
    organisation = Organisation.objects.get(name="Đà Nẵng Seafood")
    assert response.status_code == 302
    assert response["Location"] == f"/directory/{organisation.slug}/"
    assert organisation.verification == Verification.UNVERIFIED
    assert organisation.name_translations == {"en": "Da Nang Seafood"}
    assert organisation.description == {"vi": "Hải sản đông lạnh."}
    assert Membership.objects.get(organisation=organisation, user=owner).role == "owner"


@pytest.mark.parametrize(
    ("changes", "status", "errors"),
    [
        (
            {"country": "XX"},
            400,
            ["Select a valid choice. XX is not one of the available choices."],
        ),
        ({"name": ""}, 400, ["This field is required."]),
        (
            {"kind": "bank"},
            400,
            ["Select a valid choice. bank is not one of the available choices."],
        ),
    ],
)
def test_register_refuses_bad_input_with_the_field_error(
    owner: User,
    session_client: SessionClient,
    changes: dict[str, str],
    status: int,
    errors: list[str],
) -> None:
    data = {"name": "Mekong Rice", "language": "en", "country": "VN", "kind": "enterprise"}
    response = session_client(owner).post("/directory/-/new/", {**data, **changes})
    assert response.status_code == status
    assert field_errors(text(response)) == errors
    assert not Organisation.objects.filter(name="Mekong Rice").exists()


def test_register_shows_the_services_field_error(
    owner: User, session_client: SessionClient
) -> None:
    # given input the form lets through but the service refuses
    data = {"name": "Mekong Rice", "language": "en", "country": "VN", "kind": "enterprise"}
    bad = {**data, "website": "ftp://files.example.org"}
    with pytest.raises(HarborError) as refused:
        services.create_organisation(
            actor=services.build_actor(owner),
            name=bad["name"],
            language=bad["language"],
            country=bad["country"],
            kind=bad["kind"],
            website=bad["website"],
        )
    # when it is posted on the page
    response = session_client(owner).post("/directory/-/new/", bad)
    # then the page answers with the service's status and its message on the website field
    assert response.status_code == refused.value.http_status == 422
    assert [error.field for error in refused.value.errors] == ["website"]
    assert field_errors(text(response)) == [str(refused.value.errors[0].message)]
    assert re.search(r'<input type="url" name="website"[^>]*aria-invalid="true"', text(response))
    assert not Organisation.objects.filter(name="Mekong Rice").exists()


def test_administrators_edit_their_organisation(
    org: Organisation, admin_member: User, session_client: SessionClient
) -> None:
    client = session_client(admin_member)
    form = text(client.get("/directory/hanoi-ceramics/edit/"))
    assert input_value(form, "id_name") == "Hanoi Ceramics"
    response = client.post(
        "/directory/hanoi-ceramics/edit/",
        {
            "name": "Hanoi Ceramics JSC",
            "language": "en",
            "name_en": "",
            "country": "VN",
            "kind": "enterprise",
            "description": "Glazed tiles.",
            "website": "",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Hanoi Ceramics JSC"
    assert org.description == {"en": "Glazed tiles."}


def test_viewers_cannot_edit(
    org: Organisation, viewer: User, session_client: SessionClient
) -> None:
    client = session_client(viewer)
    assert client.get("/directory/hanoi-ceramics/edit/").status_code == 403
    response = client.post(
        "/directory/hanoi-ceramics/edit/",
        {"name": "Taken Over", "language": "en", "country": "VN", "kind": "enterprise"},
    )
    assert response.status_code == 403
    assert "Only administrators of this organisation can edit it." in html.unescape(text(response))
    org.refresh_from_db()
    assert org.name == "Hanoi Ceramics"


def test_request_verification_then_staff_verify(
    db: None, staff: User, session_client: SessionClient
) -> None:
    founder = make_user("founder")
    organisation = make_organisation(
        owner=founder, name="Phnom Penh Silk", country="KH", verified=False
    )
    path = f"/directory/{organisation.slug}/"
    response = session_client(founder).post(f"{path}verification/request/")
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verification == Verification.PENDING
    # a member cannot verify their own organisation
    response = session_client(founder).post(f"{path}verification/", {"status": "verified"})
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.verification == Verification.PENDING
    # staff can
    response = session_client(staff).post(f"{path}verification/", {"status": "verified"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verification == Verification.VERIFIED
    assert (
        session_client(staff).post(f"{path}verification/", {"status": "maybe"}).status_code == 400
    )


# --- members and invitations ----------------------------------------------------------------------------


def test_members_page_lists_members_for_members(
    org: Organisation, viewer: User, admin_member: User, session_client: SessionClient
) -> None:
    page = text(session_client(viewer).get("/directory/hanoi-ceramics/members/"))
    assert re.findall(r'data-member="([^"]+)" data-role="([^"]+)"', page) == [
        ("orgadmin", "admin"),
        ("owner", "owner"),
        ("viewer", "viewer"),
    ]
    # a viewer sees no management controls
    assert "/members/invite/" not in page
    assert "/role/" not in page


def test_members_page_is_closed_to_non_members(
    directory: dict[str, Organisation], session_client: SessionClient
) -> None:
    outsider = session_client(User.objects.get(username="outsider"))
    forbidden = outsider.get("/directory/hanoi-ceramics/members/")
    assert forbidden.status_code == 403
    assert "You do not have permission to do this." in text(forbidden)
    # an unverified organisation does not exist for outsiders
    assert outsider.get("/directory/hanoi-lacquer/members/").status_code == 404
    assert (
        outsider.post(
            "/directory/hanoi-ceramics/members/invite/", {"email": "x@example.org", "role": "owner"}
        ).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_invite_shows_the_link_once_and_the_invitee_joins(
    org: Organisation, owner: User, session_client: SessionClient
) -> None:
    client = session_client(owner)
    response = client.post(
        "/directory/hanoi-ceramics/members/invite/", {"email": "Lan@Example.org", "role": "editor"}
    )
    assert response.status_code == 201
    link = input_value(text(response), "invitation-link")
    assert re.fullmatch(r"http://testserver/invitations/[A-Za-z0-9_-]{32}/", link)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("lan@example.org", "editor")
    later = text(client.get("/directory/hanoi-ceramics/members/"))
    assert link.split("/")[-2] not in later
    assert 'data-invitation="' + str(invitation.pk) + '"' in later
    # the invitee signs in and accepts
    lan = make_user("lan")
    invitee = session_client(lan)
    path = link.removeprefix("http://testserver")
    assert invitee.get(path).status_code == 200
    response = invitee.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/directory/hanoi-ceramics/"
    assert Membership.objects.get(user=lan, organisation=org).role == "editor"
    # a used link is refused
    again = invitee.post(path)
    assert again.status_code == 404
    assert "This invitation does not exist, was used, revoked or has expired." in text(again)


def test_accepting_an_invitation_needs_sign_in(db: None) -> None:
    response = Client().get("/invitations/abc/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/invitations/abc/"


@pytest.mark.parametrize(
    ("role", "email", "status", "errors"),
    [
        ("viewer", "not-an-address", 400, ["Enter a valid email address."]),
        (
            "chief",
            "a@example.org",
            400,
            ["Select a valid choice. chief is not one of the available choices."],
        ),
        # an administrator cannot grant ownership: the service says no
        ("owner", "a@example.org", 403, ["You do not have permission to do this."]),
    ],
)
def test_invite_refuses_bad_input(
    org: Organisation,
    admin_member: User,
    session_client: SessionClient,
    role: str,
    email: str,
    status: int,
    errors: list[str],
) -> None:
    response = session_client(admin_member).post(
        "/directory/hanoi-ceramics/members/invite/", {"email": email, "role": role}
    )
    assert response.status_code == status
    assert field_errors(text(response)) == errors
    assert not Invitation.objects.exists()


def test_revoke_an_invitation(
    org: Organisation, owner: User, session_client: SessionClient
) -> None:
    invitation, _raw = services.invite_member(
        org, actor=services.build_actor(owner), email="x@example.org", role="viewer"
    )
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/invitations/{invitation.pk}/revoke/"
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_change_a_role_with_htmx_returns_the_row(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    membership = Membership.objects.get(user=viewer, organisation=org)
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/members/{membership.pk}/role/",
        {f"m{membership.pk}-role": "editor"},
        HTTP_HX_REQUEST="true",
    )
    page = text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith(
        f'<tr id="member-{membership.pk}" data-member="viewer" data-role="editor"'
    )
    assert "<html" not in page
    membership.refresh_from_db()
    assert membership.role == "editor"


def test_change_a_role_without_javascript_redirects(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    membership = Membership.objects.get(user=viewer, organisation=org)
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/members/{membership.pk}/role/",
        {f"m{membership.pk}-role": "admin"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/directory/hanoi-ceramics/members/"
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_role_changes_are_refused_with_the_reason(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    own = Membership.objects.get(user=owner, organisation=org)
    theirs = Membership.objects.get(user=viewer, organisation=org)
    # the last owner cannot step down
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/members/{own.pk}/role/",
        {f"m{own.pk}-role": "viewer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "An organisation must keep at least one owner." in text(response)
    # a viewer cannot change roles
    response = session_client(viewer).post(
        f"/directory/hanoi-ceramics/members/{theirs.pk}/role/", {f"m{theirs.pk}-role": "owner"}
    )
    assert response.status_code == 403
    # an unknown role is a 400
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/members/{theirs.pk}/role/",
        {f"m{theirs.pk}-role": "emperor"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert Membership.objects.get(pk=own.pk).role == "owner"
    assert Membership.objects.get(pk=theirs.pk).role == "viewer"


def test_remove_a_member_with_htmx_removes_the_row(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    membership = Membership.objects.get(user=viewer, organisation=org)
    response = session_client(owner).post(
        f"/directory/hanoi-ceramics/members/{membership.pk}/remove/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content == b""
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_members_leave_but_the_last_owner_cannot(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    theirs = Membership.objects.get(user=viewer, organisation=org)
    response = session_client(viewer).post(f"/directory/hanoi-ceramics/members/{theirs.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert not Membership.objects.filter(pk=theirs.pk).exists()
    own = Membership.objects.get(user=owner, organisation=org)
    response = session_client(owner).post(f"/directory/hanoi-ceramics/members/{own.pk}/remove/")
    assert response.status_code == 409
    assert "An organisation must keep at least one owner." in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()


# --- acting organisation --------------------------------------------------------------------------------


def test_people_with_several_organisations_switch_the_acting_one(
    org: Organisation, owner: User, session_client: SessionClient
) -> None:
    second = make_organisation(owner=owner, name="Hue Silk", country="VN")
    client = session_client(owner)
    page = text(client.get("/"))
    assert '<select id="acting-select" name="organisation">' in page
    assert re.findall(r'<option value="([a-z-]+)" selected>', page) == ["hanoi-ceramics"]
    response = client.post(
        "/account/organisation/", {"organisation": second.slug, "next": "/directory/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    owner.refresh_from_db()
    assert owner.active_organisation_id == second.pk
    assert re.findall(r'<option value="([a-z-]+)" selected>', text(client.get("/"))) == ["hue-silk"]


def test_switching_to_a_foreign_organisation_is_refused(
    directory: dict[str, Organisation], owner: User, session_client: SessionClient
) -> None:
    client = session_client(owner)
    response = client.post("/account/organisation/", {"organisation": "bangkok-trading"})
    assert response.status_code == 403
    response = client.post(
        "/account/organisation/",
        {"organisation": "hanoi-ceramics", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    owner.refresh_from_db()
    assert owner.active_organisation_id == directory["hanoi"].pk


def test_a_single_membership_shows_the_acting_organisation_without_a_switcher(
    org: Organisation, viewer: User, session_client: SessionClient
) -> None:
    page = text(session_client(viewer).get("/"))
    assert 'Acting for <a href="/directory/hanoi-ceramics/">Hanoi Ceramics</a>' in page
    assert "acting-select" not in page


def test_demo_organisations_are_badged_in_the_header(
    db: None, session_client: SessionClient
) -> None:
    person = make_user("demo_person")
    organisation = make_demo_organisation("Demo Traders", "MY")
    add_member(organisation, person, "viewer")
    page = text(session_client(person).get("/"))
    assert '<span class="badge badge-demo" data-acting-demo>Demo data</span>' in page


# --- API tokens -----------------------------------------------------------------------------------------


def test_a_token_created_on_the_page_is_shown_once_and_works(
    org: Organisation, owner: User, session_client: SessionClient
) -> None:
    client = session_client(owner)
    form = text(client.get("/account/tokens/"))
    assert re.findall(r'<option value="([a-z-]+)" selected>', form)[-1] == "hanoi-ceramics"
    now = timezone.now().replace(microsecond=0)
    with time_machine.travel(now, tick=False):
        response = client.post(
            "/account/tokens/",
            {
                "name": "price sync",
                "organisation": "hanoi-ceramics",
                "scopes": ["read"],
                "expires_days": "30",
            },
        )
    assert response.status_code == 201
    raw = input_value(text(response), "new-token")
    token = ApiToken.objects.get(name="price sync")
    assert raw.startswith(f"hbr_{token.prefix}_")
    assert token.scopes == ["read"]
    assert token.expires_at == now + timedelta(days=30)
    # the API accepts it and acts for the chosen organisation
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert me.status_code == 200
    assert (me.json()["acting_organisation"], me.json()["scopes"]) == ("hanoi-ceramics", ["read"])
    # the secret is never shown again
    later = text(client.get("/account/tokens/"))
    assert raw not in later
    assert raw.split("_", 2)[2] not in later
    assert f'data-token="{token.prefix}"' in later


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"expires_days": "0"}, ["Ensure this value is greater than or equal to 1."]),
        ({"expires_days": "400"}, ["Ensure this value is less than or equal to 366."]),
        ({"expires_days": "soon"}, ["Enter a whole number."]),
        (
            {"scopes": ["admin"]},
            ["Select a valid choice. admin is not one of the available choices."],
        ),
        ({"scopes": []}, ["This field is required."]),
        ({"name": ""}, ["This field is required."]),
        (
            {"organisation": "bangkok-trading"},
            ["Select a valid choice. bangkok-trading is not one of the available choices."],
        ),
    ],
)
def test_token_form_refuses_bad_input_with_400(
    directory: dict[str, Organisation],
    owner: User,
    session_client: SessionClient,
    changes: dict[str, object],
    errors: list[str],
) -> None:
    data = {
        "name": "sync",
        "organisation": "hanoi-ceramics",
        "scopes": ["read"],
        "expires_days": "30",
    }
    response = session_client(owner).post("/account/tokens/", {**data, **changes})
    assert response.status_code == 400
    assert field_errors(text(response)) == errors
    assert 'id="new-token"' not in text(response)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(
    org: Organisation, owner: User, session_client: SessionClient
) -> None:
    token, raw = services.create_api_token(actor=services.build_actor(owner), name="old")
    response = session_client(owner).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/"
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
    page = text(session_client(owner).get("/account/tokens/"))
    assert f'<tr data-token="{token.prefix}">' in page
    assert 'data-state="revoked"' in page


def test_nobody_revokes_another_persons_token(
    org: Organisation, owner: User, viewer: User, session_client: SessionClient
) -> None:
    token, _raw = services.create_api_token(actor=services.build_actor(owner), name="mine")
    response = session_client(viewer).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_people_without_an_organisation_are_told_how_to_get_a_token(
    db: None, session_client: SessionClient
) -> None:
    page = text(session_client(make_user("loner")).get("/account/tokens/"))
    assert "Register an organisation or accept an invitation first." in page
    assert 'action="/account/tokens/"' not in page


# --- jobs -----------------------------------------------------------------------------------------------


def test_staff_start_a_job_and_watch_it_finish(staff: User, session_client: SessionClient) -> None:
    client = session_client(staff)
    assert 'name="kind" value="reference.load"' in text(client.get("/jobs/"))
    response = client.post("/jobs/start/", {"kind": "reference.load"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.created_by_id) == (
        "reference.load",
        JobStatus.QUEUED,
        staff.pk,
    )
    # while queued, the progress fragment polls every second
    fragment = text(client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert f'hx-get="/jobs/{job.pk}/" hx-trigger="every 1s"' in fragment
    assert '<progress id="job-' + str(job.pk) + '-bar" max="100" value="0">' in fragment
    # once finished, it shows 100 % and stops polling
    run_job(job.pk)
    fragment = text(client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true"))
    assert 'data-status="succeeded"' in fragment
    assert 'max="100" value="100"' in fragment
    assert "hx-trigger" not in fragment
    page = text(client.get(f"/jobs/{job.pk}/"))
    assert "<html" in page
    assert "Loading countries, currencies and languages" in page


def test_members_cannot_start_jobs_or_see_other_peoples(
    staff: User, owner: User, org: Organisation, session_client: SessionClient
) -> None:
    client = session_client(owner)
    assert 'name="kind"' not in text(client.get("/jobs/"))
    assert client.post("/jobs/start/", {"kind": "reference.load"}).status_code == 403
    assert not Job.objects.exists()
    job = Job.objects.create(kind="reference.load", created_by_id=staff.pk)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert session_client(staff).post("/jobs/start/", {"kind": "unknown"}).status_code == 400


# --- errors ---------------------------------------------------------------------------------------------


def test_unknown_pages_get_the_friendly_error_page(db: None) -> None:
    response = Client().get("/directory/no-such-organisation/")
    page = text(response)
    assert response.status_code == 404
    assert '<h1 id="error-title">Page not found</h1>' in page
    assert 'data-error-status="404">No organisation “no-such-organisation”.</p>' in page


def test_a_form_without_its_csrf_token_gets_the_friendly_page(
    owner: User, session_client: SessionClient
) -> None:
    client = session_client(owner, enforce_csrf_checks=True)
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 403
    assert "<h1>The form has expired</h1>" in text(response)
    assert not ApiToken.objects.exists()
