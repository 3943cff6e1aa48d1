"""The DCAT-AP 3 catalogue of datasets, built for the requester, with an ODRL policy per dataset.

Only datasets the requester may read appear. ``dct:accessRights`` uses the EU access-right vocabulary:
PUBLIC for public datasets, RESTRICTED for those shared with members, countries or organisations.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rdflib import Graph

from harbor.core.actors import Actor
from harbor.sharing.choices import Audience, RecordKind, RecordStatus
from harbor.sharing.models import Record
from harbor.sharing.selectors import visible_records

ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ISO639_3 = {
    "en": "ENG",
    "zh-hans": "ZHO",
    "zh-hant": "ZHO",
    "id": "IND",
    "ms": "MSA",
    "th": "THA",
    "vi": "VIE",
    "fil": "FIL",
    "km": "KHM",
    "lo": "LAO",
    "my": "MYA",
    "ta": "TAM",
}


def _base() -> str:
    return settings.HARBOR_PUBLIC_URL


def _texts(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text, "@language": language} for language, text in sorted(values.items())]


def _policy(record: Record) -> dict[str, Any]:
    """An ODRL offer: who may use the dataset, as its sharing policy says."""
    permission: dict[str, Any] = {"odrl:action": {"@id": "odrl:use"}}
    if record.audience == Audience.COUNTRIES:
        permission["odrl:constraint"] = {
            "odrl:leftOperand": {"@id": "odrl:spatial"},
            "odrl:operator": {"@id": "odrl:isAnyOf"},
            "odrl:rightOperand": [
                {"@id": COUNTRY_AUTHORITY + code} for code in record.audience_countries
            ],
        }
    elif record.audience == Audience.MEMBERS:
        permission["odrl:assignee"] = {"@id": f"{_base()}/#verified-members"}
    elif record.audience == Audience.ORGANISATIONS:
        permission["odrl:assignee"] = [
            {"@id": f"{_base()}/organisations/{pk}/"} for pk in record.audience_organisations
        ]
    return {
        "@type": "odrl:Offer",
        "@id": f"{_base()}/records/{record.pk}/#policy-v{record.version}",
        "odrl:assigner": {"@id": f"{_base()}/organisations/{record.owner.slug}/"},
        "odrl:permission": permission,
    }


def _dataset(record: Record) -> dict[str, Any]:
    rights = "PUBLIC" if record.audience == Audience.PUBLIC else "RESTRICTED"
    dataset: dict[str, Any] = {
        "@id": f"{_base()}/records/{record.pk}/",
        "@type": "dcat:Dataset",
        "dct:identifier": str(record.pk),
        "dct:title": _texts(record.title),
        "dct:description": _texts(record.summary or record.body),
        "dct:publisher": {
            "@id": f"{_base()}/organisations/{record.owner.slug}/",
            "@type": "foaf:Agent",
            "foaf:name": record.owner.name,
        },
        "dct:issued": {
            "@value": (record.published_at or record.created_at).isoformat(),
            "@type": "xsd:dateTime",
        },
        "dct:modified": {"@value": record.updated_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:language": [
            {"@id": LANGUAGE_AUTHORITY + ISO639_3[lang]}
            for lang in sorted(record.title)
            if lang in ISO639_3
        ],
        "dct:spatial": {"@id": COUNTRY_AUTHORITY + record.home_country.alpha3},
        "dcat:keyword": [{"@value": topic} for topic in record.topics],
        "dct:accessRights": {"@id": ACCESS_RIGHT + rights},
        "odrl:hasPolicy": _policy(record),
        "dcat:version": str(record.version),
    }
    links = [link["url"] for link in record.links]
    if links:
        dataset["dcat:distribution"] = [
            {"@type": "dcat:Distribution", "dcat:accessURL": {"@id": url}} for url in links
        ]
    return dataset


def catalogue_for(actor: Actor) -> dict[str, Any]:
    """The JSON-LD catalogue as ``actor`` may see it."""
    datasets = (
        visible_records(actor)
        .filter(kind=RecordKind.DATASET, status=RecordStatus.PUBLISHED)
        .select_related("owner", "home_country")
        .order_by("pk")
    )
    return {
        "@context": CONTEXT,
        "@id": f"{_base()}/api/v1/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": [{"@value": "Information Harbor", "@language": "en"}],
        "dct:description": [
            {
                "@value": "Datasets shared through the China–ASEAN Information Harbor",
                "@language": "en",
            }
        ],
        "dcat:dataset": [_dataset(record) for record in datasets],
    }


def catalogue_turtle(catalogue: dict[str, Any]) -> str:
    """The same catalogue in Turtle, converted by rdflib from the JSON-LD."""
    graph = Graph()
    graph.parse(data=json.dumps(catalogue), format="json-ld")
    return graph.serialize(format="turtle")
