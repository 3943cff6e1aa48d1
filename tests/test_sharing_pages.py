"""Pages of the sharing hub: record lists and page, the publish and edit form, versions, search,
subscriptions and the inbox; what a reader may not read is absent everywhere."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from harbor.core.actors import Actor
from harbor.directory import services as directory_services
from harbor.directory.models import Organisation, User
from harbor.sharing import services
from harbor.sharing.models import InboxItem, Record, Subscription
from tests.factories import actor_for, add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db
SessionClient = Callable[..., Client]
Publish = Callable[..., Record]


@pytest.fixture(autouse=True)
def _keywords_only(settings: Any) -> None:
    """Exact search results: cross-lingual ranking could add records that are only close in meaning."""
    settings.HARBOR_SEARCH_SEMANTIC = False


@pytest.fixture
def publish(django_capture_on_commit_callbacks: Any) -> Publish:
    """Create a record through the service and run its after-commit indexing and notifications."""

    def create(actor: Actor, *, draft: bool = False, is_demo: bool = False, **data: Any) -> Record:
        fields = {"kind": "notice", "title": {"en": "Notice"}, "audience": "public", **data}
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_record(
                actor=actor, data=fields, publish=not draft, is_demo=is_demo
            )

    return create


@pytest.fixture
def thai(outsider: User) -> Organisation:
    """Bangkok Trading, the verified Thai organisation of ``outsider``."""
    return Organisation.objects.get(name="Bangkok Trading")


# --- helpers --------------------------------------------------------------------------------------------


def text(response: Any) -> str:
    return str(response.content.decode())


def attribute_values(page: str, attribute: str) -> list[str]:
    return [html.unescape(value) for value in re.findall(rf'\b{attribute}="([^"]*)"', page)]


def record_ids(page: str) -> list[int]:
    """Ids of the record rows or hits of a list or search page, in order."""
    return [int(value) for value in re.findall(r'<(?:tr|li) data-record="(\d+)"', page)]


def errors_of(page: str, field_id: str) -> list[str]:
    """The messages of the error list of the field with id ``field_id``."""
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page, flags=re.S)
    return (
        [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1))]
        if found
        else []
    )


def element(page: str, pattern: str) -> str:
    found = re.search(pattern, page, flags=re.S)
    assert found is not None, pattern
    return found.group(0)


def record_form(**overrides: Any) -> dict[str, Any]:
    """What the publish form posts: a regulation in Chinese (original) and English, shared with Thailand."""
    data: dict[str, Any] = {
        "kind": "regulation",
        "opportunity_type": "",
        "service_area": "",
        "original_language": "zh-hans",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "1",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "12",
        "texts-0-language": "zh-hans",
        "texts-0-title": "电子元件进口关税调整通知",
        "texts-0-summary": "静态变流器的税率下调",
        "texts-0-body": "",
        "texts-1-language": "en",
        "texts-1-title": "Notice on import duties for electronic components",
        "texts-1-summary": "Lower rate for static converters",
        "texts-1-body": "",
        "topics": "electronics, tariffs",
        "hs_codes": "85, 850440",
        "countries": ["VN", "CN"],
        "effective_date": "2026-12-01",
        "expiry_date": "",
        "links": "https://example.org/notices/42",
        "audience": "countries",
        "audience_countries": ["TH", "VN"],
        "audience_organisations": "",
        "status": "published",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


# --- record lists ---------------------------------------------------------------------------------------


@pytest.fixture
def shelf(owner: User, org: Organisation, outsider: User, publish: Publish) -> dict[str, Record]:
    """Hanoi Ceramics' public notice, members-only regulation, own-only dataset and draft; and a Thai
    public advisory (demo data)."""
    actor = actor_for(owner)
    return {
        "public": publish(actor, title={"en": "Durian season notice"}),
        "members": publish(
            actor, kind="regulation", title={"en": "Durian members rule"}, audience="members"
        ),
        "own": publish(actor, kind="dataset", title={"en": "Durian own data"}, audience="owner"),
        "draft": publish(actor, title={"en": "Durian draft"}, draft=True),
        "thai": publish(
            actor_for(outsider), kind="advisory", title={"th": "ทุเรียน ประกาศ"}, is_demo=True
        ),
    }


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("anonymous", ["thai", "public"]),
        ("outsider", ["thai", "members", "public"]),
        ("owner", ["thai", "own", "members", "public"]),
    ],
)
def test_record_list_shows_the_published_records_the_reader_may_read(
    shelf: dict[str, Record],
    owner: User,
    outsider: User,
    session_client: SessionClient,
    reader: str,
    expected: list[str],
) -> None:
    client = {
        "anonymous": Client(),
        "outsider": session_client(outsider),
        "owner": session_client(owner),
    }[reader]
    response = client.get("/records/")
    page = text(response)
    assert response.status_code == 200
    assert record_ids(page) == [shelf[name].pk for name in expected]
    assert f'data-count="{len(expected)}"' in page


def test_record_list_labels_demo_records_and_filters_by_kind_and_country(
    shelf: dict[str, Record],
) -> None:
    client = Client()
    page = text(client.get("/records/"))
    thai_row = element(page, rf'<tr data-record="{shelf["thai"].pk}">.*?</tr>')
    public_row = element(page, rf'<tr data-record="{shelf["public"].pk}">.*?</tr>')
    assert '<span class="badge badge-demo" data-demo>Demo data</span>' in thai_row
    assert "data-demo" not in public_row
    assert '<td data-country="TH">Thailand</td>' in thai_row
    assert record_ids(text(client.get("/records/", {"kind": "advisory"}))) == [shelf["thai"].pk]
    assert record_ids(text(client.get("/records/", {"country": "VN"}))) == [shelf["public"].pk]
    assert record_ids(text(client.get("/records/", {"kind": "dataset"}))) == []
    # the filters update the results in place: HTMX gets the results without the page around them
    fragment = text(client.get("/records/", {"kind": "advisory"}, headers={"HX-Request": "true"}))
    assert "<html" not in fragment
    assert record_ids(fragment) == [shelf["thai"].pk]


def test_record_list_is_paginated(owner: User, org: Organisation) -> None:
    actor = actor_for(owner)
    created = [
        services.create_record(
            actor=actor,
            data={"kind": "notice", "title": {"en": f"Notice {n}"}, "audience": "public"},
            publish=True,
        )
        for n in range(21)
    ]
    newest_first = [record.pk for record in reversed(created)]
    first = text(Client().get("/records/"))
    second = text(Client().get("/records/", {"page": "2"}))
    assert record_ids(first) == newest_first[:20]
    assert record_ids(second) == newest_first[20:]
    assert 'href="?page=2"' in first
    assert "Page 1 of 2" in first
    assert 'href="?page=1"' in second


def test_my_organisations_records_include_drafts_and_nothing_else(
    shelf: dict[str, Record], viewer: User, session_client: SessionClient
) -> None:
    # a viewer of Hanoi Ceramics sees all its records, drafts included, but not the Thai one
    page = text(session_client(viewer).get("/records/mine/"))
    assert record_ids(page) == [shelf[name].pk for name in ("draft", "own", "members", "public")]
    draft_row = element(page, rf'<tr data-record="{shelf["draft"].pk}">.*?</tr>')
    assert 'data-status="draft">Draft</span>' in draft_row
    # a person without an organisation has no such list; anonymous visitors are asked to sign in
    loner = make_user("loner")
    assert session_client(loner).get("/records/mine/").status_code == 403
    response = Client().get("/records/mine/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/records/mine/",
    )


# --- the record page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "readers"),
    [
        ("public", {"anonymous", "outsider", "viewer"}),
        ("members", {"outsider", "viewer"}),
        ("own", {"viewer"}),
        ("draft", {"viewer"}),
    ],
)
def test_record_page_is_a_404_for_readers_the_policy_excludes(
    shelf: dict[str, Record],
    viewer: User,
    outsider: User,
    session_client: SessionClient,
    name: str,
    readers: set[str],
) -> None:
    clients = {
        "anonymous": Client(),
        "outsider": session_client(outsider),
        "viewer": session_client(viewer),
    }
    for reader, client in clients.items():
        response = client.get(f"/records/{shelf[name].pk}/")
        assert response.status_code == (200 if reader in readers else 404), (name, reader)
        if reader not in readers:
            assert f"No record {shelf[name].pk}." in text(response)
            assert "Durian" not in text(response)


def test_record_page_shows_the_readers_language_or_the_original_with_a_note(
    owner: User, org: Organisation, publish: Publish
) -> None:
    record = publish(
        actor_for(owner),
        original_language="vi",
        title={"vi": "Thông báo thuế", "en": "Duty notice"},
        summary={"vi": "Thuế suất mới"},
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # the reader's interface language is English: the English title, the summary only in Vietnamese
    page = text(client.get(f"/records/{record.pk}/"))
    assert '<h1 lang="en" data-title>Duty notice</h1>' in page
    assert '<p class="summary lead" lang="vi" data-summary>Thuế suất mới</p>' in page
    assert "data-original-note" not in page
    # asked for Thai, which the record lacks: the original, and a note that says so
    page = text(client.get(f"/records/{record.pk}/", {"lang": "th"}))
    assert '<h1 lang="vi" data-title>Thông báo thuế</h1>' in page
    note = element(page, r'<p class="alert alert-warning" data-original-note="vi">.*?</p>')
    assert html.unescape(re.sub(r"<[^>]+>", "", note)) == (
        "This record is not available in Thai. It is shown in its original language: Vietnamese."
    )
    # the switcher offers the record's languages, the original marked
    assert attribute_values(page, "data-lang") == ["en", "vi"]
    assert (
        '<a href="?lang=vi" hreflang="vi" data-lang="vi" aria-current="true">Vietnamese (original)</a>'
        in page
    )
    page = text(client.get(f"/records/{record.pk}/", {"lang": "en"}))
    assert '<h1 lang="en" data-title>Duty notice</h1>' in page
    assert "data-original-note" not in page


def test_record_page_shows_the_facts_links_attachments_and_policy_to_members_only(
    owner: User,
    org: Organisation,
    viewer: User,
    outsider: User,
    thai: Organisation,
    session_client: SessionClient,
    publish: Publish,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    partner = make_organisation(name="Saigon Freight", country="VN", kind="logistics")
    actor = actor_for(owner)
    record = publish(
        actor,
        kind="regulation",
        title={"en": "Tariff notice"},
        topics=["tariffs"],
        hs_codes=["850440"],
        countries=["CN", "VN"],
        effective_date="2026-12-01",
        expiry_date="2027-06-30",
        links=[{"url": "https://example.org/notice", "label": "Official text"}],
        audience="organisations",
        audience_organisations=[partner.slug],
    )
    # the Thai organisation is listed too, so it may read the record
    services.update_record(
        record, actor=actor, changes={"audience_organisations": [partner.slug, thai.slug]}
    )
    from harbor.sharing.attachments import add_attachment

    attachment = add_attachment(
        record,
        actor=actor,
        filename="rates.csv",
        stream=SimpleUploadedFile("rates.csv", b"hs,rate\n850440,3\n"),
        size=17,
    )
    assert Client().get(f"/records/{record.pk}/").status_code == 404
    page = text(session_client(viewer).get(f"/records/{record.pk}/"))
    assert '<dd data-home-country="VN">Vietnam</dd>' in page
    assert (
        f'<a href="/directory/{org.slug}/" lang="{org.language}" data-owner="{org.slug}">Hanoi Ceramics</a>'
        in page
    )
    assert attribute_values(page, "data-topic") == ["tariffs"]
    assert '<li data-hs="850440"><a href="/search/?hs=850440">850440</a></li>' in page
    assert re.findall(r'<li data-country="([A-Z]+)">([^<]+)</li>', page) == [
        ("CN", "China"),
        ("VN", "Vietnam"),
    ]
    assert "<dd>Dec. 1, 2026</dd>" in page
    assert "<dd>June 30, 2027</dd>" in page
    assert '<a href="https://example.org/notice" rel="noopener nofollow">Official text</a>' in page
    assert (
        f'<a href="/api/v1/records/{record.pk}/attachments/{attachment.pk}" download>rates.csv</a>'
        in page
    )
    # members of the owner see the policy, but only editors get the buttons
    policy = element(page, r"<section aria-labelledby=\"policy-title\" data-policy>.*?</section>")
    assert '<dd data-audience="organisations">Listed organisations</dd>' in policy
    assert attribute_values(policy, "data-audience-organisation") == [thai.slug, partner.slug]
    assert "data-editor-actions" not in page
    # a reader from a listed organisation sees the record, without its policy
    page = text(session_client(outsider).get(f"/records/{record.pk}/"))
    assert '<h1 lang="en" data-title>Tariff notice</h1>' in page
    assert "data-policy" not in page
    assert "Saigon Freight" not in page
    assert "data-editor-actions" not in page
    # the owner gets edit and withdraw
    page = text(session_client(owner).get(f"/records/{record.pk}/"))
    actions = element(page, r"<div class=\"actions\" data-editor-actions>.*?</div>")
    assert f'href="/records/{record.pk}/edit/"' in actions
    assert f'action="/records/{record.pk}/withdraw/"' in actions
    assert "/publish/" not in actions


def test_editors_publish_and_withdraw_and_others_cannot(
    owner: User,
    org: Organisation,
    viewer: User,
    session_client: SessionClient,
    publish: Publish,
    django_capture_on_commit_callbacks: Any,
) -> None:
    record = publish(actor_for(owner), draft=True)
    # a viewer of the organisation may read the draft but not publish it
    refused = session_client(viewer).post(f"/records/{record.pk}/publish/")
    assert refused.status_code == 403
    record.refresh_from_db()
    assert (record.status, record.version) == ("draft", 1)
    client = session_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/records/{record.pk}/publish/")
    assert (response.status_code, response["Location"]) == (302, f"/records/{record.pk}/")
    record.refresh_from_db()
    assert (record.status, record.version) == ("published", 2)
    assert Client().get(f"/records/{record.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/records/{record.pk}/withdraw/")
    record.refresh_from_db()
    assert (record.status, record.version) == ("withdrawn", 3)
    assert Client().get(f"/records/{record.pk}/").status_code == 404
    assert record.pk not in record_ids(text(Client().get("/search/", {"q": "notice"})))


def test_attachment_upload_on_the_record_page(
    owner: User,
    org: Organisation,
    session_client: SessionClient,
    publish: Publish,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    record = publish(actor_for(owner))
    client = session_client(owner)
    response = client.post(
        f"/records/{record.pk}/attachments/",
        {"file": SimpleUploadedFile("rates.txt", b"850440: 3%\n", content_type="text/plain")},
    )
    assert (response.status_code, response["Location"]) == (302, f"/records/{record.pk}/")
    attachment = record.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "rates.txt",
        "text/plain",
        11,
    )
    # an executable is refused by the service, its message shown on the file field
    elf = SimpleUploadedFile("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64)
    refused = client.post(f"/records/{record.pk}/attachments/", {"file": elf})
    assert refused.status_code == 422
    assert errors_of(text(refused), "id_file") == [
        "Files of type application/x-executable are not accepted."
    ]
    assert record.attachments.count() == 1


# --- publish and edit -----------------------------------------------------------------------------------


def test_publish_form_creates_a_record_in_two_languages(
    owner: User,
    org: Organisation,
    outsider: User,
    session_client: SessionClient,
    api: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = session_client(owner)
    form = client.get("/records/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    assert 'hx-get="/records/new/language/?index=1"' in text(form)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/records/new/", record_form())
    record = Record.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/records/{record.pk}/")
    assert record.title == {
        "zh-hans": "电子元件进口关税调整通知",
        "en": "Notice on import duties for electronic components",
    }
    assert record.summary == {
        "zh-hans": "静态变流器的税率下调",
        "en": "Lower rate for static converters",
    }
    assert record.body == {}
    assert (record.kind, record.original_language, record.status, record.version) == (
        "regulation",
        "zh-hans",
        "published",
        1,
    )
    assert (record.owner_id, record.home_country_id) == (org.pk, "VN")
    assert record.topics == ["electronics", "tariffs"]
    assert record.hs_codes == ["85", "850440"]
    assert record.countries == ["VN", "CN"]
    assert record.links == [{"url": "https://example.org/notices/42", "label": ""}]
    assert (record.audience, record.audience_countries, record.residency) == (
        "countries",
        ["TH", "VN"],
        False,
    )
    assert str(record.effective_date) == "2026-12-01"
    # readers in Thailand find it in Chinese; anonymous visitors do not
    thai = text(session_client(outsider).get("/search/", {"q": "关税"}))
    assert record_ids(thai) == [record.pk]
    assert record_ids(text(Client().get("/search/", {"q": "关税"}))) == []


def test_publish_form_saves_a_draft_whose_original_is_the_first_language(
    owner: User, org: Organisation, session_client: SessionClient
) -> None:
    data = record_form(
        original_language="",
        status="draft",
        audience="owner",
        **{
            "texts-TOTAL_FORMS": "1",
            "texts-0-language": "vi",
            "texts-0-title": "Thông báo về thuế nhập khẩu",
            "texts-1-language": None,
            "texts-1-title": None,
            "texts-1-summary": None,
            "texts-1-body": None,
            "texts-0-summary": "",
        },
    )
    response = session_client(owner).post("/records/new/", data)
    assert response.status_code == 302
    record = Record.objects.get()
    assert (record.status, record.original_language, record.title) == (
        "draft",
        "vi",
        {"vi": "Thông báo về thuế nhập khẩu"},
    )
    assert (record.audience, record.audience_countries) == ("owner", [])


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"hs_codes": "85, 9999"}, "id_hs_codes", "“9999” is not in the HS 2022 nomenclature."),
        ({"hs_codes": "85a"}, "id_hs_codes", "An HS code has 2, 4 or 6 digits."),
        ({"texts-1-language": "xx"}, "id_texts-1-language", "“xx” is not a supported language."),
        (
            {"original_language": "th"},
            "id_original_language",
            "Give the title in the original language (th).",
        ),
        (
            {"texts-1-title": "", "texts-0-title": ""},
            "id_texts-0-title",
            "Give the title in the original language (zh-hans).",
        ),
        (
            {"audience_countries": []},
            "id_audience_countries",
            "List at least one country.",
        ),
        (
            {"audience": "organisations", "audience_organisations": "no-such-org"},
            "id_audience_organisations",
            "No organisation “no-such-org”.",
        ),
        ({"kind": "opportunity"}, "id_opportunity_type", "Choose among: buy, sell, cooperation."),
        ({"links": "javascript:alert(1)"}, "id_links", "Enter a valid http or https address."),
        (
            {"expiry_date": "2026-01-01"},
            "id_expiry_date",
            "The expiry date is before the effective date.",
        ),
    ],
)
def test_bad_input_is_a_422_with_the_error_next_to_its_field_and_writes_nothing(
    owner: User,
    org: Organisation,
    session_client: SessionClient,
    overrides: dict[str, Any],
    field_id: str,
    message: str,
) -> None:
    response = session_client(owner).post("/records/new/", record_form(**overrides))
    page = text(response)
    assert response.status_code == 422
    assert errors_of(page, field_id) == [message]
    assert '<p class="alert alert-error" role="alert" data-form-errors>' in page
    # what was typed is kept
    assert f'value="{html.escape(record_form(**overrides)["hs_codes"])}"' in page
    assert Record.objects.count() == 0


def test_form_level_errors_are_a_400_and_write_nothing(
    owner: User, org: Organisation, session_client: SessionClient
) -> None:
    response = session_client(owner).post(
        "/records/new/",
        record_form(**{"texts-1-language": "zh-hans", "effective_date": "1 December"}),
    )
    page = text(response)
    assert response.status_code == 400
    assert errors_of(page, "id_texts-1-language") == ["This language is already given above."]
    assert errors_of(page, "id_effective_date") == ["Enter a valid date."]
    assert Record.objects.count() == 0


def test_viewers_and_visitors_cannot_open_the_publish_form(
    viewer: User, session_client: SessionClient
) -> None:
    refused = session_client(viewer).get("/records/new/")
    assert refused.status_code == 403
    assert "Only editors, administrators and owners of an organisation can publish." in text(
        refused
    )
    assert session_client(viewer).post("/records/new/", record_form()).status_code == 403
    anonymous = Client().get("/records/new/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        "/accounts/login/?next=/records/new/",
    )
    assert Record.objects.count() == 0


def test_another_language_fieldset_comes_from_htmx_or_from_a_plain_post(
    owner: User, org: Organisation, session_client: SessionClient
) -> None:
    client = session_client(owner)
    # with HTMX: the fieldset, and out of band the new form count and the next button
    fragment = text(client.get("/records/new/language/", {"index": "2"}))
    assert 'data-fieldset-index="2"' in fragment
    assert attribute_values(fragment, "name") == [
        "texts-2-language",
        "texts-2-title",
        "texts-2-summary",
        "texts-2-body",
        "texts-TOTAL_FORMS",
        "add_language",
    ]
    assert (
        '<input type="hidden" name="texts-TOTAL_FORMS" value="3" id="id_texts-TOTAL_FORMS" '
        'hx-swap-oob="true">'
    ) in fragment
    assert 'hx-get="/records/new/language/?index=3"' in fragment
    assert client.get("/records/new/language/", {"index": "12"}).status_code == 400
    # without scripts, the button posts the form, which comes back with one more fieldset
    page = text(client.post("/records/new/", {**record_form(), "add_language": "1"}))
    assert attribute_values(page, "data-fieldset-index") == ["0", "1", "2"]
    assert 'value="电子元件进口关税调整通知"' in page
    assert Record.objects.count() == 0


def test_an_editor_of_two_organisations_publishes_for_the_one_they_act_for(
    owner: User, org: Organisation, session_client: SessionClient
) -> None:
    editor = make_user("editor")
    add_member(org, editor, "editor")
    second = make_organisation(name="Lao Coffee", country="LA")
    add_member(second, editor, "editor")
    data = record_form(audience="public", audience_countries=[])
    assert session_client(editor).post("/records/new/", data).status_code == 302
    directory_services.switch_organisation(editor, organisation=second)
    assert session_client(editor).post("/records/new/", data).status_code == 302
    assert list(Record.objects.order_by("pk").values_list("owner_id", "home_country_id")) == [
        (org.pk, "VN"),
        (second.pk, "LA"),
    ]


def test_edit_makes_version_two_and_the_comparison_shows_the_diff(
    owner: User,
    org: Organisation,
    session_client: SessionClient,
    publish: Publish,
    django_capture_on_commit_callbacks: Any,
) -> None:
    record = publish(
        actor_for(owner),
        kind="regulation",
        title={"en": "Tariff notice"},
        body={"en": "Scope: chapter 85\nOld rate 5%"},
        hs_codes=["85"],
    )
    client = session_client(owner)
    form = text(client.get(f"/records/{record.pk}/edit/"))
    assert 'value="Tariff notice"' in form
    assert 'name="status"' not in form  # a published record is not a draft any more
    data = record_form(
        original_language="en",
        hs_codes="85, 8504",
        countries=[],
        effective_date="",
        links="",
        audience="public",
        audience_countries=[],
        status=None,
        note="rate cut",
        **{
            "texts-TOTAL_FORMS": "1",
            "texts-0-language": "en",
            "texts-0-title": "Tariff notice",
            "texts-0-summary": "",
            "texts-0-body": "Scope: chapter 85\nNew rate 3%",
            "texts-1-language": None,
            "texts-1-title": None,
            "texts-1-summary": None,
            "texts-1-body": None,
            "topics": "",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/records/{record.pk}/edit/", data)
    assert (response.status_code, response["Location"]) == (302, f"/records/{record.pk}/")
    record.refresh_from_db()
    assert (record.version, record.body, record.hs_codes) == (
        2,
        {"en": "Scope: chapter 85\nNew rate 3%"},
        ["85", "8504"],
    )
    assert list(record.versions.values_list("number", "note")) == [(1, ""), (2, "rate cut")]
    page = text(client.get(f"/records/{record.pk}/"))
    assert attribute_values(page, "data-version") == ["1", "2"]
    assert f'hx-get="/records/{record.pk}/compare/"' in page
    assert '<option value="1" selected>1</option>' in page
    assert '<option value="2" selected>2</option>' in page
    # the comparison: changed fields only, texts line by line
    comparison = text(
        Client().get(f"/records/{record.pk}/compare/", {"from_version": 1, "to_version": 2})
    )
    assert attribute_values(comparison, "data-field") == ["body", "hs_codes"]
    assert re.findall(r'<span class="diff-(\w+)" data-line="\w+">([^<]*)</span>', comparison) == [
        ("same", " Scope: chapter 85"),
        ("removed", "-Old rate 5%"),
        ("added", "+New rate 3%"),
    ]
    hs_row = element(comparison, r'<tr data-field="hs_codes">.*?</tr>')
    assert "<td data-before>85</td>" in hs_row
    assert "<td data-after>85, 8504</td>" in hs_row
    # HTMX gets the comparison alone, to put under the form
    fragment = text(
        Client().get(
            f"/records/{record.pk}/compare/",
            {"from_version": 1, "to_version": 2},
            headers={"HX-Request": "true"},
        )
    )
    assert fragment.lstrip().startswith('<section class="comparison" data-from="1" data-to="2"')
    missing = Client().get(f"/records/{record.pk}/compare/", {"from_version": 1, "to_version": 9})
    assert missing.status_code == 404


def test_edit_publishes_a_draft_and_refuses_other_organisations(
    owner: User,
    org: Organisation,
    outsider: User,
    session_client: SessionClient,
    publish: Publish,
) -> None:
    record = publish(actor_for(owner), title={"en": "Rice quota"}, draft=True)
    client = session_client(owner)
    assert 'name="status"' in text(client.get(f"/records/{record.pk}/edit/"))
    data = record_form(
        original_language="en",
        kind="notice",
        hs_codes="",
        countries=[],
        effective_date="",
        links="",
        audience="public",
        audience_countries=[],
        status="published",
        note="",
        topics="",
        **{
            "texts-TOTAL_FORMS": "1",
            "texts-0-language": "en",
            "texts-0-title": "Rice quota 2027",
            "texts-0-summary": "",
            "texts-1-language": None,
            "texts-1-title": None,
            "texts-1-summary": None,
            "texts-1-body": None,
        },
    )
    assert client.post(f"/records/{record.pk}/edit/", data).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.version, record.title) == (
        "published",
        3,
        {"en": "Rice quota 2027"},
    )
    # the Thai organisation may read it now, but not edit it
    thai = session_client(outsider)
    assert thai.get(f"/records/{record.pk}/").status_code == 200
    assert thai.get(f"/records/{record.pk}/edit/").status_code == 403
    assert thai.post(f"/records/{record.pk}/edit/", data).status_code == 403
    record.refresh_from_db()
    assert record.version == 3


# --- search ---------------------------------------------------------------------------------------------


def test_search_shows_highlighted_snippets_and_facets_of_readable_records_only(
    shelf: dict[str, Record], outsider: User, session_client: SessionClient
) -> None:
    anonymous = text(Client().get("/search/", {"q": "durian"}))
    assert record_ids(anonymous) == [shelf["public"].pk]
    hit = element(anonymous, rf'<li data-record="{shelf["public"].pk}">.*?</li>')
    assert '<p class="snippet" lang="en" data-snippet><mark>Durian</mark> season notice</p>' in hit
    assert '<p class="result-count" data-count="1">1 record</p>' in anonymous
    assert attribute_values(anonymous, "data-facet") == ["kind", "country", "language", "year"]
    assert re.findall(r'<li data-value="([^"]+)" data-count="(\d+)">', anonymous) == [
        ("notice", "1"),
        ("VN", "1"),
        ("en", "1"),
        (str(shelf["public"].created_at.year), "1"),
    ]
    # the Thai member reads the members-only regulation too, and counts it
    member = text(session_client(outsider).get("/search/", {"q": "durian"}))
    assert sorted(record_ids(member)) == sorted([shelf["public"].pk, shelf["members"].pk])
    kinds = element(member, r'<section class="facet" data-facet="kind">.*?</section>')
    assert re.findall(r'data-value="([^"]+)" data-count="(\d+)"', kinds) == [
        ("notice", "1"),
        ("regulation", "1"),
    ]
    # a facet link adds its filter to the query
    assert '<a href="?q=durian&amp;kind=regulation"' in kinds
    filtered = text(session_client(outsider).get("/search/", {"q": "durian", "kind": "regulation"}))
    assert record_ids(filtered) == [shelf["members"].pk]
    active = element(filtered, r'<li data-filter="kind">.*?</li>')
    assert "Kind: Regulation" in active
    assert 'href="?q=durian"' in active


def test_search_escapes_record_text_around_the_highlights(
    owner: User, org: Organisation, publish: Publish
) -> None:
    record = publish(actor_for(owner), title={"en": "<script>alert(1)</script> durian & rice"})
    page = text(Client().get("/search/", {"q": "durian"}))
    assert record_ids(page) == [record.pk]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>durian</mark> &amp; rice</p>" in page
    assert "<script>alert" not in page


def test_search_results_come_a_page_at_a_time_and_alone_for_htmx(
    owner: User, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    actor = actor_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        created = [
            services.create_record(
                actor=actor,
                data={"kind": "notice", "title": {"en": f"Mango report {n}"}, "audience": "public"},
                publish=True,
            )
            for n in range(23)
        ]
    first = text(Client().get("/search/", {"q": "mango"}))
    second = text(Client().get("/search/", {"q": "mango", "page": "2"}))
    assert len(record_ids(first)) == 20
    assert len(record_ids(second)) == 3
    assert sorted(record_ids(first) + record_ids(second)) == sorted(r.pk for r in created)
    assert '<a href="?q=mango&amp;page=2"' in first
    assert "Page 2 of 2" in second
    fragment = text(Client().get("/search/", {"q": "mango"}, headers={"HX-Request": "true"}))
    assert "<html" not in fragment
    assert len(record_ids(fragment)) == 20
    page = text(Client().get("/search/"))
    assert 'hx-trigger="keyup changed delay:300ms from:#id_q, search from:#id_q, submit"' in page
    assert '<form class="search-form" role="search" method="get" action="/search/"' in page


def test_search_says_when_a_count_is_capped(
    owner: User, org: Organisation, publish: Publish, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("harbor.search.engine.COUNT_CAP", 2)
    for n in range(3):
        publish(actor_for(owner), title={"en": f"Lychee notice {n}"})
    page = text(Client().get("/search/", {"q": "lychee"}))
    assert (
        '<p class="result-count" data-count="2" data-count-capped>More than 2 records; the counts '
        "beside cover the first 2.</p>"
    ) in page
    assert len(record_ids(page)) == 3


# --- subscriptions and the inbox ------------------------------------------------------------------------


def test_subscription_delivers_a_matching_record_to_the_inbox_and_it_is_marked_read(
    owner: User,
    org: Organisation,
    outsider: User,
    session_client: SessionClient,
    publish: Publish,
) -> None:
    client = session_client(outsider)
    response = client.post(
        "/subscriptions/",
        {
            "name": "Electronics from Viet Nam",
            "kinds": ["regulation"],
            "countries": ["VN"],
            "topics": "",
            "hs_prefixes": "85",
            "query": "",
            "by_inbox": "on",
            "webhook_url": "",
        },
    )
    assert response.status_code == 201
    page = text(response)
    subscription = Subscription.objects.get()
    assert (subscription.kinds, subscription.countries, subscription.hs_prefixes) == (
        ["regulation"],
        ["VN"],
        ["85"],
    )
    assert f'data-created="{subscription.pk}"' in page
    assert "data-webhook-secret" not in page  # no webhook: no secret to show
    assert attribute_values(page, "data-subscription") == [str(subscription.pk)]
    feed = element(page, rf'<input id="feed-{subscription.pk}"[^>]*>')
    assert f'value="http://127.0.0.1:8000/feeds/{subscription.feed_token}.atom"' in feed
    # Hanoi Ceramics publishes a matching regulation, and a notice that does not match
    actor = actor_for(owner)
    record = publish(
        actor, kind="regulation", title={"vi": "Quy định linh kiện"}, hs_codes=["850440"]
    )
    publish(actor, kind="notice", title={"en": "Rice"}, hs_codes=["1006"])
    inbox = text(client.get("/inbox/"))
    item = InboxItem.objects.get()
    assert attribute_values(inbox, "data-item") == [str(item.pk)]
    row = element(inbox, rf'<tr id="inbox-{item.pk}".*?</tr>')
    assert f'data-record="{record.pk}" data-unread class="unread"' in row
    assert '<span class="badge badge-new" data-unread-marker>New</span>' in row
    assert f'<a href="/records/{record.pk}/" lang="vi">Quy định linh kiện</a>' in row
    assert '<p data-unread-count="1">1 unread record.' in inbox
    # marking it read answers HTMX with the row alone
    marked = client.post(f"/inbox/{item.pk}/read/", headers={"HX-Request": "true"})
    fragment = text(marked)
    assert marked.status_code == 200
    assert fragment.lstrip().startswith(f'<tr id="inbox-{item.pk}"')
    assert "data-read" in fragment
    assert "data-unread" not in fragment
    assert "Mark as read" not in fragment
    item.refresh_from_db()
    assert item.read_at is not None
    assert '<p data-unread-count="0">0 unread records.' in text(client.get("/inbox/"))
    # someone else cannot mark it
    assert session_client(owner).post(f"/inbox/{item.pk}/read/").status_code == 404


def test_inbox_hides_a_record_no_longer_shared_with_the_reader(
    owner: User,
    org: Organisation,
    outsider: User,
    session_client: SessionClient,
    publish: Publish,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = session_client(outsider)
    assert client.post("/subscriptions/", {"name": "all", "by_inbox": "on"}).status_code == 201
    record = publish(actor_for(owner), title={"en": "Secret price list"}, audience="members")
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_record(record, actor=actor_for(owner))
    item = InboxItem.objects.get()
    # a plain form post marks it read and comes back to the inbox
    response = client.post(f"/inbox/{item.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/inbox/")
    inbox = text(client.get("/inbox/"))
    assert "Secret price list" not in inbox
    assert "No longer shared with you." in inbox


def test_webhook_secret_is_shown_once_and_bad_subscriptions_are_refused(
    outsider: User, session_client: SessionClient
) -> None:
    client = session_client(outsider)
    refused = client.post(
        "/subscriptions/",
        {"name": "Hook", "hs_prefixes": "8a", "webhook_url": "http://127.0.0.1/hook"},
    )
    assert refused.status_code == 422
    page = text(refused)
    assert errors_of(page, "id_hs_prefixes") == ["HS prefixes have 2, 4 or 6 digits."]
    assert errors_of(page, "id_webhook_url") == [
        "“127.0.0.1” resolves to an internal address (127.0.0.1); the operator has not allowed it."
    ]
    assert not Subscription.objects.exists()
    with override_settings(HARBOR_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        created = client.post(
            "/subscriptions/",
            {"name": "Hook", "hs_prefixes": "85", "webhook_url": "http://127.0.0.1:9/hook"},
        )
    assert created.status_code == 201
    subscription = Subscription.objects.get()
    secret = element(text(created), r'<input id="webhook-secret"[^>]*>')
    assert f'value="{subscription.webhook_secret}"' in secret
    later = text(client.get("/subscriptions/"))
    assert subscription.webhook_secret not in later
    assert "<code>http://127.0.0.1:9/hook</code>" in later
    # deleting it removes it, and its feed stops answering
    deleted = client.post(f"/subscriptions/{subscription.pk}/delete/")
    assert (deleted.status_code, deleted["Location"]) == (302, "/subscriptions/")
    assert not Subscription.objects.exists()
    assert Client().get(f"/feeds/{subscription.feed_token}.atom").status_code == 404


def test_subscriptions_belong_to_their_owner(
    owner: User, org: Organisation, outsider: User, session_client: SessionClient
) -> None:
    session_client(outsider).post("/subscriptions/", {"name": "Mine", "by_inbox": "on"})
    subscription = Subscription.objects.get()
    other = session_client(owner)
    assert "Mine" not in text(other.get("/subscriptions/"))
    assert other.post(f"/subscriptions/{subscription.pk}/delete/").status_code == 404
    assert Subscription.objects.count() == 1
    for path in ("/subscriptions/", "/inbox/"):
        response = Client().get(path)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={path}",
        )


# --- navigation and the home page -----------------------------------------------------------------------


def test_navigation_and_home_lead_to_the_sharing_pages(db: None) -> None:
    page = text(Client().get("/"))
    nav = element(page, r'<nav class="site-nav".*?</nav>')
    assert re.findall(r'<a href="([^"]+)"', nav) == [
        "/",
        "/directory/",
        "/records/",
        "/search/",
        "/inbox/",
        "/subscriptions/",
        "/trade/",
        "/jobs/",
        "/api/docs",
        "/account/tokens/",
    ]
    card = element(page, r'<li class="platform" data-platform="sharing">.*?</li>\s*</ul>')
    assert 'data-status="partial">Available in part</span>' in card
    assert re.findall(r'<a href="([^"]+)"', card) == ["/records/", "/search/"]
    assert 'aria-current="page">Records</a>' in text(Client().get("/records/"))
