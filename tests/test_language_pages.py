"""The glossary page: public, in the reader's language, searchable in any language."""

from __future__ import annotations

import pytest
from django.test import Client

from harbor.core.actors import Actor
from harbor.language.glossary import current_glossary, load_glossary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _glossary() -> None:
    load_glossary(actor=Actor.system("tests"))


def test_the_glossary_lists_each_term_in_the_reader_language_first() -> None:
    thai = current_glossary().target_term("bill-of-lading", "th")

    page = Client().get("/language/glossary/", HTTP_ACCEPT_LANGUAGE="th").content.decode()

    assert '<html lang="th">' in page
    row = page.split('data-key="bill-of-lading"', 1)[1].split("</tr>", 1)[0]
    assert f'<td lang="th">{thai}' in row
    assert '<td lang="en">bill of lading</td>' in row


def test_a_search_in_thai_finds_the_concept_and_htmx_gets_the_rows_only() -> None:
    thai = current_glossary().target_term("certificate-of-origin", "th")

    response = Client().get("/language/glossary/", {"q": thai}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-key="certificate-of-origin"' in body
    assert "<html" not in body


def test_a_domain_filter_keeps_that_domain_and_an_unknown_one_is_refused() -> None:
    ict = Client().get("/language/glossary/", {"domain": "ict"}).content.decode()
    unknown = Client().get("/language/glossary/", {"domain": "law"})

    assert 'data-key="bill-of-lading"' not in ict
    assert 'data-key="phishing"' in ict
    assert unknown.status_code == 422
    assert "is not a glossary domain" in unknown.content.decode()
