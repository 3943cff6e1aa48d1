"""Forms of the trade pages: HS search, tariff lookup, the origin calculator with its bill of materials,
landed cost and the Form E pre-check.

The forms parse what the browser sends into the shape the API takes (money in minor units, codes in upper
case); the trade modules validate the rest and their field errors are put back next to these fields.

Money is typed in major units (``1234.56``) and converted with the currency's ISO 4217 minor unit: a value
with more decimals than the currency has is refused rather than rounded.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harbor.reference.models import Currency
from harbor.reference.selectors import list_countries, list_currencies
from harbor.trade.agreements import AGREEMENTS
from harbor.trade.selectors import HS_QUERY_MAX

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise as Label

MAX_MATERIALS = 500
MATERIALS_PREFIX = "materials"
MAX_PROCESSES = 50
MONEY_DIGITS = 18


def member_choices() -> list[tuple[str, str]]:
    """The eleven member states by their name in the reader's language."""
    countries = [(c.code, c.name) for c in list_countries(members_only=True)]
    return sorted(countries, key=lambda choice: choice[1].casefold())


def country_choices() -> list[tuple[str, str]]:
    """Every country by its name in the reader's language."""
    countries = [(c.code, c.name) for c in list_countries()]
    return sorted(countries, key=lambda choice: choice[1].casefold())


def party_choices() -> list[tuple[str, str]]:
    """The countries party to at least one of the agreements, by name."""
    parties = set().union(*(agreement.parties for agreement in AGREEMENTS.values()))
    return [choice for choice in country_choices() if choice[0] in parties]


def currency_choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} · {c.name}") for c in list_currencies()]


def agreement_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} · {agreement.name}") for code, agreement in AGREEMENTS.items()]


def to_minor_units(amount: Decimal, minor_unit: int) -> int | None:
    """An amount in major units as an integer of the minor unit; None when it has too many decimals."""
    scaled = amount.scaleb(minor_unit)
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def money_field(
    label: Label, *, required: bool = True, help_text: Label = ""
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=MONEY_DIGITS,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ChoicesForm(forms.Form):
    """A form whose choices depend on the database or the reader, so they are set per instance."""

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class MoneyForm(ChoicesForm):
    """A form with a ``currency`` field and amounts typed in that currency's major units."""

    money_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = Currency.objects.filter(code=data.get("currency") or "").first()
        if currency is None:
            return data
        for name in self.money_fields:
            amount = data.get(name)
            if amount is None:
                continue
            minor = to_minor_units(amount, currency.minor_unit)
            if minor is None:
                self.add_error(name, decimals_message(currency))
            else:
                data[f"{name}_minor"] = minor
        data["minor_unit"] = currency.minor_unit
        return data


def decimals_message(currency: Currency) -> str:
    if currency.minor_unit == 0:
        return _("%(currency)s has no decimals.") % {"currency": currency.code}
    return _("%(currency)s has at most %(digits)d decimals.") % {
        "currency": currency.code,
        "digits": currency.minor_unit,
    }


# --- HS and tariffs -------------------------------------------------------------------------------------


class HsSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Code or words"),
        required=False,
        max_length=HS_QUERY_MAX,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=gettext_lazy("For example 9403.60, 0810 or durian."),
    )


def hs_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("HS code"),
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **kwargs,
    )


def date_field(label: Label, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}), **kwargs
    )


class TariffLookupForm(ChoicesForm):
    """Which importer's schedules to read, for which code, on which day (today when left empty)."""

    importer = forms.ChoiceField(label=gettext_lazy("Importing country"))
    hs = hs_field(help_text=gettext_lazy("A chapter, heading, subheading or national line."))
    date = date_field(gettext_lazy("Date"), help_text=gettext_lazy("Today when left empty."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("importer").choices = [("", "—"), *member_choices()]


# --- the origin calculator ------------------------------------------------------------------------------


class OriginForm(MoneyForm):
    """The good: its code and FOB value, the agreement, the two parties and the producer's declarations."""

    money_fields = ("fob_value",)

    hs_code = hs_field(
        help_text=gettext_lazy("The six-digit subheading of the good, e.g. 9403.60.")
    )
    fob_value = money_field(
        gettext_lazy("FOB value"), help_text=gettext_lazy("For example 1234.56.")
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    agreement = forms.ChoiceField(label=gettext_lazy("Agreement"))
    exporter = forms.ChoiceField(label=gettext_lazy("Exporting country"))
    importer = forms.ChoiceField(label=gettext_lazy("Importing country"))
    wholly_obtained = forms.BooleanField(
        label=gettext_lazy("Wholly obtained in the exporting country"), required=False
    )
    product_weight = forms.IntegerField(
        label=gettext_lazy("Weight of the good (g)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Needed only for textiles under the de minimis rule by weight."),
    )
    processes = forms.CharField(
        label=gettext_lazy("Specific processes carried out"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, as the product-specific rule names them."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parties = [("", "—"), *party_choices()]
        self._choice_field("currency").choices = [("", "—"), *currency_choices()]
        self._choice_field("agreement").choices = agreement_choices()
        self._choice_field("exporter").choices = parties
        self._choice_field("importer").choices = parties

    def clean_processes(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["processes"].splitlines()]
        processes = [line for line in lines if line]
        if len(processes) > MAX_PROCESSES:
            raise forms.ValidationError(
                _("At most %(n)d processes.") % {"n": MAX_PROCESSES}, code="too_many"
            )
        return processes


class MaterialForm(ChoicesForm):
    """One row of the bill of materials; an untouched row is ignored."""

    description = forms.CharField(label=gettext_lazy("Material"), max_length=500)
    hs_code = hs_field()
    value = money_field(gettext_lazy("Value (CIF)"))
    origin_country = forms.ChoiceField(label=gettext_lazy("Origin"), required=False)
    originating = forms.BooleanField(label=gettext_lazy("Originating"), required=False)
    weight = forms.IntegerField(label=gettext_lazy("Weight (g)"), required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("origin_country").choices = [("", _("Unknown")), *country_choices()]


if TYPE_CHECKING:
    _MaterialFormSet = forms.BaseFormSet[MaterialForm]
else:
    _MaterialFormSet = forms.BaseFormSet


class BaseMaterialFormSet(_MaterialFormSet):
    """The bill of materials; a row left untouched is not a material."""

    def filled_forms(self) -> list[MaterialForm]:
        """The rows with something in them, in order."""
        return [form for form in self.forms if form.has_changed()]


MaterialFormSet = forms.formset_factory(
    MaterialForm,
    formset=BaseMaterialFormSet,
    extra=0,
    max_num=MAX_MATERIALS,
    absolute_max=MAX_MATERIALS,
    validate_max=True,
)


def material_formset(data: Any = None, *, rows: int = 1) -> BaseMaterialFormSet:
    """The bill-of-materials rows: as posted, or ``rows`` empty ones."""
    formset = cast(BaseMaterialFormSet, MaterialFormSet(data, prefix=MATERIALS_PREFIX))
    if data is None:
        # Extra rows rather than initial ones: every row may stay empty.
        formset.extra = rows
    return formset


def material_form(index: int) -> MaterialForm:
    """An empty row of the bill of materials at position ``index``."""
    return MaterialForm(
        prefix=f"{MATERIALS_PREFIX}-{index}", empty_permitted=True, use_required_attribute=False
    )


def hs_digits(code: str) -> str:
    """``9403.60`` → ``940360``: the separators people write are dropped, the rest is checked later."""
    return "".join(code.replace(".", " ").split())


def origin_payload(
    form: OriginForm, formset: BaseMaterialFormSet
) -> tuple[dict[str, Any], list[int]] | None:
    """The origin request in the API's shape, with the index of each material's row in the formset;
    None when a value has more decimals than the currency (the error is on the field then)."""
    data = form.cleaned_data
    minor_unit = data["minor_unit"]
    materials: list[dict[str, Any]] = []
    rows: list[int] = []
    for index, row in enumerate(formset.forms):
        if not row.has_changed():
            continue
        value = to_minor_units(row.cleaned_data["value"], minor_unit)
        if value is None:
            currency = Currency.objects.get(code=data["currency"])
            row.add_error("value", decimals_message(currency))
            continue
        materials.append(
            {
                "description": row.cleaned_data["description"],
                "hs_code": hs_digits(row.cleaned_data["hs_code"]),
                "value": value,
                "origin_country": row.cleaned_data["origin_country"],
                "originating": row.cleaned_data["originating"],
                "weight": row.cleaned_data["weight"],
            }
        )
        rows.append(index)
    if len(rows) != len(formset.filled_forms()):
        return None
    payload = {
        "hs_code": hs_digits(data["hs_code"]),
        "fob_value": data["fob_value_minor"],
        "currency": data["currency"],
        "agreement": data["agreement"],
        "exporter": data["exporter"],
        "importer": data["importer"],
        "wholly_obtained": data["wholly_obtained"],
        "product_weight": data["product_weight"],
        "processes": data["processes"],
        "materials": materials,
    }
    return payload, rows


# --- landed cost ----------------------------------------------------------------------------------------


class LandedCostForm(MoneyForm):
    """A shipment: the two countries, the good, its values in one currency, the quantity and the day."""

    money_fields = ("fob_value", "freight", "insurance")

    importer = forms.ChoiceField(label=gettext_lazy("Importing country"))
    exporter = forms.ChoiceField(label=gettext_lazy("Exporting country"))
    hs_code = hs_field(help_text=gettext_lazy("A subheading or a national line, e.g. 9403.60."))
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    fob_value = money_field(
        gettext_lazy("FOB value"), help_text=gettext_lazy("For example 1234.56.")
    )
    freight = money_field(gettext_lazy("Freight"), required=False)
    insurance = money_field(gettext_lazy("Insurance"), required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        required=False,
        min_value=Decimal(0),
        max_digits=MONEY_DIGITS,
        help_text=gettext_lazy("In the unit of a specific duty (kg, l, u …)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    date = date_field(gettext_lazy("Date"), help_text=gettext_lazy("Today when left empty."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("importer").choices = [("", "—"), *member_choices()]
        self._choice_field("exporter").choices = [("", "—"), *country_choices()]
        self._choice_field("currency").choices = [("", "—"), *currency_choices()]

    def payload(self) -> dict[str, Any]:
        """The landed-cost request in the API's shape."""
        data = self.cleaned_data
        return {
            "hs_code": hs_digits(data["hs_code"]),
            "importer": data["importer"],
            "exporter": data["exporter"],
            "currency": data["currency"],
            "fob_value": data["fob_value_minor"],
            "freight": data.get("freight_minor", 0),
            "insurance": data.get("insurance_minor", 0),
            "quantity": data["quantity"],
            "date": data["date"],
        }


# --- Form E pre-check -----------------------------------------------------------------------------------

# Paths of the Form E check that are not simply the field's name with dots for underscores.
_FORM_E_ALIASES = {
    "quantity": "quantity_value",
    "fob_value": "fob_amount",
    "fob_value_amount": "fob_amount",
    "fob_value_currency": "fob_currency",
    "port_of_loading": "port_of_loading_name",
    "port_of_discharge": "port_of_discharge_name",
    "transit_ports": "transit_port_name",
    "transit_ports_name": "transit_port_name",
    "transit_ports_country": "transit_port_country",
    "calculated_criteria": "calculated_criteria",
}
_GROUPS = {
    "quantity": ("quantity_value", "quantity_unit"),
    "port_of_loading": ("port_of_loading_name", "port_of_loading_country"),
    "port_of_discharge": ("port_of_discharge_name", "port_of_discharge_country"),
    "transit_port": ("transit_port_name", "transit_port_country"),
}
_GROUPED = {name for pair in _GROUPS.values() for name in pair} | {"fob_amount", "fob_currency"}


def _text(
    label: Label, *, required: bool = True, max_length: int = 300, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kwargs)


def _choice(label: Label, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required)


def _weight() -> forms.DecimalField:
    return forms.DecimalField(
        label=gettext_lazy("Gross weight (kg)"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=MONEY_DIGITS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _quantity_fields() -> tuple[forms.DecimalField, forms.CharField]:
    value = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=MONEY_DIGITS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = _text(gettext_lazy("Unit"), required=False, max_length=20, help_text="PCS, SETS, KGM …")
    return value, unit


def _description() -> forms.CharField:
    return _text(
        gettext_lazy("Description of the goods"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FormEForm(ChoicesForm):
    """One document of the Form E pre-check; its fields map to the check's paths (``fob_amount`` and
    ``fob_currency`` are ``fob_value``, ``port_of_loading_name`` is ``port_of_loading.name`` …)."""

    title: Any = ""
    boxes: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *country_choices()]
        currencies = [("", "—"), *currency_choices()]
        for name, bound_field in self.fields.items():
            if isinstance(bound_field, forms.ChoiceField):
                bound_field.choices = currencies if name.endswith("currency") else countries
            if name in self.boxes:
                bound_field.help_text = _("Box %(box)s") % {"box": self.boxes[name]}

    def field_for(self, path: str) -> str | None:
        """The field a path of the check names (``quantity.unit`` → ``quantity_unit``), if any."""
        key = re.sub(r"\.\d+", "", path).replace(".", "_")
        name = _FORM_E_ALIASES.get(key, key)
        return name if name in self.fields else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "fob_amount" not in self.fields:
            return data
        amount, code = data.get("fob_amount"), data.get("fob_currency")
        if amount is not None and not code:
            self.add_error("fob_currency", _("Choose the currency of the FOB value."))
        elif amount is not None:
            currency = Currency.objects.filter(code=code).first()
            minor = None if currency is None else to_minor_units(amount, currency.minor_unit)
            if currency is not None and minor is None:
                self.add_error("fob_amount", decimals_message(currency))
            data["fob_minor"] = minor
        return data

    def document(self) -> dict[str, Any]:
        """The document in the JSON shape of the check; empty fields are left out."""
        data = self.cleaned_data
        document: dict[str, Any] = {}
        for name, value in data.items():
            if name in _GROUPED or name not in self.fields or value in (None, "", False):
                continue
            document[name] = value.isoformat() if isinstance(value, date) else value
        for group, (first, second) in _GROUPS.items():
            if first not in self.fields or not (data.get(first) or data.get(second)):
                continue
            keys = ("value", "unit") if group == "quantity" else ("name", "country")
            entry = {
                keys[0]: str(data[first]) if data.get(first) is not None else None,
                keys[1]: data.get(second) or None,
            }
            if group == "transit_port":
                document["transit_ports"] = [entry]
            else:
                document[group] = entry
        if data.get("fob_minor") is not None:
            document["fob_value"] = {"amount": data["fob_minor"], "currency": data["fob_currency"]}
        return document


class CertificateForm(FormEForm):
    """The boxes of the Form E the checks read."""

    title = gettext_lazy("Certificate")
    boxes = {
        "exporter_name": "1",
        "exporter_country": "1",
        "consignee_name": "2",
        "consignee_country": "2",
        "departure_date": "3",
        "vessel_name": "3",
        "goods_description": "7",
        "hs_code": "7",
        "third_party_invoicer_name": "7",
        "third_party_invoicer_country": "7",
        "origin_criterion": "8",
        "gross_weight_kg": "9",
        "quantity_value": "9",
        "fob_amount": "9",
        "invoice_number": "10",
        "invoice_date": "10",
        "third_party_invoicing": "13",
        "issued_retroactively": "13",
        "remarks": "13",
    }

    issue_date = forms.DateField(
        label=gettext_lazy("Issue date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exporter_name = _text(gettext_lazy("Exporter"))
    exporter_country = _choice(gettext_lazy("Exporter's country"))
    consignee_name = _text(gettext_lazy("Consignee"))
    consignee_country = _choice(gettext_lazy("Consignee's country"))
    departure_date = date_field(gettext_lazy("Departure date"))
    vessel_name = _text(gettext_lazy("Vessel"), required=False)
    goods_description = _description()
    hs_code = hs_field()
    origin_criterion = _text(
        gettext_lazy("Origin criterion"), max_length=20, help_text="WO, PE, CTH, PSR, 40%"
    )
    gross_weight_kg = _weight()
    quantity_value, quantity_unit = _quantity_fields()
    fob_amount = money_field(gettext_lazy("FOB value"), required=False)
    fob_currency = _choice(gettext_lazy("Currency"), required=False)
    invoice_number = _text(gettext_lazy("Invoice number"), max_length=100)
    invoice_date = forms.DateField(
        label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    third_party_invoicing = forms.BooleanField(
        label=gettext_lazy("Third-party invoicing"), required=False
    )
    third_party_invoicer_name = _text(gettext_lazy("Invoicing company"), required=False)
    third_party_invoicer_country = _choice(
        gettext_lazy("Invoicing company's country"), required=False
    )
    issued_retroactively = forms.BooleanField(
        label=gettext_lazy("Issued retroactively"), required=False
    )
    remarks = _text(
        gettext_lazy("Remarks"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    transit_customs_documents = forms.BooleanField(
        label=gettext_lazy("Customs documents of the transit country are at hand"), required=False
    )


class InvoiceForm(FormEForm):
    """The commercial invoice."""

    title = gettext_lazy("Invoice")

    number = _text(gettext_lazy("Invoice number"), max_length=100)
    date = forms.DateField(
        label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    seller_name = _text(gettext_lazy("Seller"))
    seller_country = _choice(gettext_lazy("Seller's country"))
    buyer_name = _text(gettext_lazy("Buyer"))
    goods_description = _description()
    hs_code = hs_field(required=False)
    quantity_value, quantity_unit = _quantity_fields()
    gross_weight_kg = _weight()
    fob_amount = money_field(gettext_lazy("FOB value"), required=False)
    fob_currency = _choice(gettext_lazy("Currency"), required=False)


class BillOfLadingForm(FormEForm):
    """The bill of lading."""

    title = gettext_lazy("Bill of lading")

    issue_date = forms.DateField(
        label=gettext_lazy("Issue date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    shipped_on_board_date = date_field(gettext_lazy("Shipped on board"))
    shipper_name = _text(gettext_lazy("Shipper"))
    consignee_name = _text(gettext_lazy("Consignee"))
    notify_party_name = _text(gettext_lazy("Notify party"), required=False)
    vessel_name = _text(gettext_lazy("Vessel"), required=False)
    port_of_loading_name = _text(gettext_lazy("Port of loading"))
    port_of_loading_country = _choice(gettext_lazy("Country of the port of loading"))
    transit_port_name = _text(gettext_lazy("Transit port"), required=False)
    transit_port_country = _choice(gettext_lazy("Country of the transit port"), required=False)
    port_of_discharge_name = _text(gettext_lazy("Port of discharge"))
    port_of_discharge_country = _choice(gettext_lazy("Country of the port of discharge"))
    gross_weight_kg = _weight()
    through_bill = forms.BooleanField(
        label=gettext_lazy("Through bill of lading to the importing country"), required=False
    )


class CheckForm(FormEForm):
    """What the check compares against besides the documents."""

    title = gettext_lazy("Origin calculation")

    calculated_criteria = _text(
        gettext_lazy("Criteria the goods meet"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "As the origin calculator found them, separated by commas, e.g. PE, 45%, CTH. "
            "Leave empty to skip this comparison."
        ),
    )
    importation_date = date_field(gettext_lazy("Importation date"))

    def field_for(self, path: str) -> str | None:
        return super().field_for(path.split(".")[0])

    def document(self) -> dict[str, Any]:
        document = super().document()
        criteria = self.cleaned_data.get("calculated_criteria") or ""
        if criteria.strip():
            document["calculated_criteria"] = [
                part.strip() for part in criteria.replace("，", ",").split(",") if part.strip()
            ]
        else:
            document.pop("calculated_criteria", None)
        return document


FORM_E_DOCUMENTS: dict[str, type[FormEForm]] = {
    "certificate": CertificateForm,
    "invoice": InvoiceForm,
    "bill_of_lading": BillOfLadingForm,
    "check": CheckForm,
}


# Documents that agree with each other, to try the check with: ceramic plates from Viet Nam to China.
FORM_E_EXAMPLE: dict[str, dict[str, Any]] = {
    "certificate": {
        "issue_date": "2026-03-03",
        "exporter_name": "Hanoi Ceramics Co., Ltd.",
        "exporter_country": "VN",
        "consignee_name": "Guangxi Homeware Trading Co., Ltd.",
        "consignee_country": "CN",
        "goods_description": "Ceramic plates, 100 cartons",
        "hs_code": "6912.00",
        "origin_criterion": "PE",
        "gross_weight_kg": "1200",
        "quantity_value": "5000",
        "quantity_unit": "PCS",
        "fob_amount": "12500.00",
        "fob_currency": "USD",
        "invoice_number": "HC-2026-031",
        "invoice_date": "2026-02-27",
    },
    "invoice": {
        "number": "HC-2026-031",
        "date": "2026-02-27",
        "seller_name": "Hanoi Ceramics Co., Ltd.",
        "seller_country": "VN",
        "buyer_name": "Guangxi Homeware Trading Company Limited",
        "goods_description": "Ceramic plates",
        "hs_code": "691200",
        "quantity_value": "5000",
        "quantity_unit": "PCS",
        "gross_weight_kg": "1200",
        "fob_amount": "12500.00",
        "fob_currency": "USD",
    },
    "bill_of_lading": {
        "issue_date": "2026-03-02",
        "shipped_on_board_date": "2026-03-02",
        "shipper_name": "HANOI CERAMICS CO LTD",
        "consignee_name": "Guangxi Homeware Trading Co., Ltd.",
        "port_of_loading_name": "Hai Phong",
        "port_of_loading_country": "VN",
        "port_of_discharge_name": "Qinzhou",
        "port_of_discharge_country": "CN",
        "gross_weight_kg": "1200",
    },
    "check": {"calculated_criteria": "PE"},
}


def form_e_forms(data: Any = None, *, example: bool = False) -> dict[str, FormEForm]:
    """The documents of the pre-check, each under its own prefix (``certificate-exporter_name`` …);
    ``example`` fills them with documents that agree."""
    return {
        name: form(data, prefix=name, initial=FORM_E_EXAMPLE[name] if example else None)
        for name, form in FORM_E_DOCUMENTS.items()
    }


def form_e_payload(documents: dict[str, FormEForm]) -> dict[str, Any]:
    """The pre-check's JSON payload (see ``form_e.form_e_from_dict``)."""
    payload: dict[str, Any] = {
        name: documents[name].document() for name in ("certificate", "invoice", "bill_of_lading")
    }
    payload.update(documents["check"].document())
    return payload
