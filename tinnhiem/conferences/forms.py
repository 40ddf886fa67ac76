"""Forms validate the shape of input; the use cases decide. Text is NFC-normalised by the fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tinnhiem.once import new_submission
from tinnhiem.rules import builtin_rule_set
from tinnhiem.text import (
    DAY_FORMATS,
    FIRST_YEAR,
    LAST_YEAR,
    clean_block,
    clean_line,
    nfc,
    plausible_day,
    vietnamese_order,
    without_address,
)

from .models import DRAFTING_UNIT, SYMBOL, Body, Campaign, Dossier, Opinion, RatedPerson
from .usecases.opinions import MAX_OPINION_CHARS, REPEATS_LABEL


class NFCFormMixin:
    """Every text a form hands on is NFC (Vietnamese pasted from Word is often NFD)."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                widget = self.fields[name].widget
                data[name] = clean_block(value) if isinstance(widget, forms.Textarea) else clean_line(value)
        return data


class OnceFormMixin(forms.Form):
    """A hidden one-time id, new each time the empty form is shown and kept when the form comes
    back with an error: the use case saves a form sent twice (a double click) once."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = new_submission()


class _FilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentField(forms.FileField):
    """A PDF, or the photos of a paper document's pages, several chosen at once (a phone opens
    its camera or its photos): a list of uploaded files, empty when none is required and none
    came. The use case makes the photos one PDF (``dossiers.document_pdf``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("Or the photos of its pages (JPEG, PNG), chosen together: a page each, in that order.")
        )
        super().__init__(widget=_FilesInput(attrs={"accept": ".pdf,application/pdf,image/jpeg,image/png"}), **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple) and data:
            return [one(item, initial) for item in data]
        found = one(data, initial)
        return [found] if found else []


def read_documents(uploads: list, limit: int) -> list[tuple[str, bytes]]:
    """The files of a ``DocumentField`` as (name, bytes), each read to one byte past ``limit``
    (a larger one is refused by its size without being read whole)."""
    return [(upload.name, upload.read(limit + 1)) for upload in uploads]


def _typed(placeholder: str, length: int) -> dict[str, str]:
    """A text field for digits typed in a fixed form (a date, a time)."""
    return {"placeholder": placeholder, "inputmode": "numeric", "autocomplete": "off", "maxlength": str(length)}


class DayInput(forms.DateInput):
    """A text field for a date, shown day first (29/09/2023). Not the browser's date field: on an
    English system Chromium shows that one as mm/dd/yyyy, and 05/02 typed there is the 2nd of May."""

    input_type = "text"

    def __init__(self):
        super().__init__(format="%d/%m/%Y", attrs=_typed(_("dd/mm/yyyy"), 10))


class DayField(forms.DateField):
    widget = DayInput
    input_formats = DAY_FORMATS
    default_error_messages = {
        "invalid": _("Write the date as day/month/year, e.g. 29/09/2023."),
        "year": _("The year must be from %(first)s to %(last)s: type its four digits, e.g. 29/09/2023."),
    }

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not plausible_day(day):
            raise forms.ValidationError(
                self.error_messages["year"], code="year", params={"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


class HourInput(forms.TimeInput):
    """A text field for a time of day, 24-hour (08:00, 14:30): the browser's time field asks for
    AM/PM on an English system."""

    input_type = "text"

    def __init__(self):
        super().__init__(format="%H:%M", attrs=_typed(_("hh:mm"), 5))


class HourField(forms.TimeField):
    widget = HourInput
    # as an office writes it: 14:00, 14.00, 14h00 or 14h, 14g00 or 14g, 14 giờ 00 (phút) or 14 giờ
    input_formats = ("%H:%M", "%H.%M", "%Hh%M", "%Hh", "%Hg%M", "%Hg", "%H giờ %M", "%H giờ %M phút", "%H giờ")
    default_error_messages = {"invalid": _("Write the time as hours:minutes, 24-hour, e.g. 14:00.")}

    def to_python(self, value):
        # "giờ" as Unikey's "Unicode tổ hợp" types it (NFD) is the same word
        return super().to_python(nfc(value) if isinstance(value, str) else value)


def rule_set_choices():
    out = []
    for rule_id, _label in Campaign._meta.get_field("rule_set").choices:
        rules = builtin_rule_set(rule_id)
        suffix = "" if rules.in_force else " — " + str(_("historic"))
        out.append((rule_id, f"{rules.short_name} ({rule_id}){suffix}"))
    return out


class VietnameseOrderIterator(forms.models.ModelChoiceIterator):
    """The choices in the order of a Vietnamese list (``text.vietnamese_order``), not the database's
    (by code point in SQLite: "Đảng ủy …" after "Ủy ban …")."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from (self.choice(o) for o in sorted(self.queryset, key=lambda o: vietnamese_order(str(o))))


class BodyChoiceField(forms.ModelChoiceField):
    """A body with its level: two bodies of one name (one made at the wrong level) stay apart."""

    iterator = VietnameseOrderIterator

    def label_from_instance(self, obj: Body) -> str:
        return f"{obj.name} — {obj.get_level_display()}"


class KnownBodyInput(forms.TextInput):
    """A body's name, typed, with the names of the bodies already known offered as the office types
    (an HTML datalist, no script): the managing authority is then found by its name as written
    before, not made again by a name typed without its accents."""

    besides: int | None = None  # the body whose page it is: not its own authority

    def render(self, name, value, attrs=None, renderer=None):
        known = f"{(attrs or {}).get('id') or name}-known"
        html = super().render(name, value, {**(attrs or {}), "list": known, "autocomplete": "off"}, renderer)
        names = sorted(set(Body.objects.exclude(pk=self.besides).values_list("name", flat=True)), key=vietnamese_order)
        options = format_html_join("", '<option value="{}"></option>', ((n,) for n in names))
        return html + format_html('<datalist id="{}">{}</datalist>', known, options)


GOVERNING_HELP = _(
    "Only for a body whose documents name the body it belongs to above its own name: UBND tỉnh Quảng "
    "Ninh above Sở Nội vụ; Đảng bộ tỉnh Quảng Ninh above Thành ủy Móng Cái. A People's Committee or "
    "Council leaves it empty (Nghị định 30/2020/NĐ-CP)."
)
REPORTS_TO_HELP = _(
    "The body the results go up to, as the report's “Kính gửi” names it (UBND tỉnh Quảng Ninh, Ban "
    "Thường vụ Tỉnh ủy). Empty: “Kính gửi: cấp có thẩm quyền quản lý cán bộ”."
)


class CampaignForm(OnceFormMixin, NFCFormMixin, forms.Form):
    body = BodyChoiceField(Body.objects.all(), label=_("Body"), required=False, empty_label=_("— a new body —"))
    new_body_name = forms.CharField(label=_("New body: name"), required=False, max_length=255)
    new_body_level = forms.ChoiceField(
        label=_("New body: level"),
        # none chosen at first: the first of the list (central) was taken for a body whose level
        # was not looked at, and the level sets the counting committee's minimum and the notices
        choices=[("", _("— choose its level —")), *Body.Level.choices],
        required=False,
        help_text=_(
            "Province level: a province or a centrally-run city. Commune level: a commune, a ward or a special zone."
        ),
    )
    new_body_system = forms.ChoiceField(label=_("New body: kind"), choices=Body.System.choices, required=False)
    new_body_locality = forms.CharField(
        label=_("New body: place name in documents"),
        required=False,
        max_length=100,
        help_text=_("e.g. Móng Cái, as in “Móng Cái, ngày …”"),
    )
    new_body_governing_body = forms.CharField(
        label=_("New body: governing body, printed above the name"),
        required=False,
        max_length=255,
        help_text=GOVERNING_HELP,
    )
    new_body_reports_to = forms.CharField(
        label=_("New body: managing authority"),
        required=False,
        max_length=255,
        help_text=REPORTS_TO_HELP,
        widget=KnownBodyInput,
    )
    body_symbol = forms.CharField(
        label=_("Symbol of the body in document numbers"),
        required=False,
        max_length=20,
        validators=[SYMBOL],
        help_text=_(
            "UBND in “Số: …/BC-UBND”, TU in “Số …-BC/TU”: the invitations, reports and notices print their "
            "number so, the number itself left blank for the clerk. Left empty, the body's symbol stays as it is."
        ),
    )
    name = forms.CharField(label=_("Name of the campaign"), max_length=255)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 3}))
    # No term is filled in: it is printed on the minutes, and a fixed one goes stale at the next congress
    # or election. The rating year starts at this year, which a new campaign almost always rates.
    term = forms.CharField(label=_("Term"), max_length=32, help_text=_("As in the plan, e.g. 2025–2030."))
    rule_set = forms.ChoiceField(label=_("Rule set"), choices=rule_set_choices)
    rating_year = forms.IntegerField(
        label=_("Rating year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )

    def clean(self):
        data = super().clean()
        if not data.get("body") and not data.get("new_body_name"):
            raise forms.ValidationError(_("Choose a body or give the name of a new one."))
        if not data.get("body") and not data.get("new_body_level"):
            self.add_error("new_body_level", _("Choose the level of the new body."))
        return data


class ConferenceForm(NFCFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    date = DayField(label=_("Date"))
    start_time = HourField(label=_("Start time"), required=False)
    place = forms.CharField(label=_("Place"), max_length=255)
    convening_body = forms.CharField(label=_("Convening body"), max_length=255)
    chair_name = forms.CharField(label=_("Chaired by"), max_length=255, required=False)


class NewConferenceForm(OnceFormMixin, ConferenceForm):
    pass


class BodyForm(NFCFormMixin, forms.Form):
    """The body's details (campaigns.update_body)."""

    name = forms.CharField(label=_("Name"), max_length=255)
    governing_body = forms.CharField(
        label=_("Governing body, printed above the name"), required=False, max_length=255, help_text=GOVERNING_HELP
    )
    level = forms.ChoiceField(label=_("Level"), choices=Body.Level.choices)
    system = forms.ChoiceField(label=_("Kind of body"), choices=Body.System.choices)
    locality = forms.CharField(
        label=_("Place name in documents"),
        required=False,
        max_length=100,
        help_text=_("e.g. Móng Cái, as in “Móng Cái, ngày …”"),
    )
    symbol = forms.CharField(
        label=_("Symbol of the body in document numbers"),
        required=False,
        max_length=20,
        validators=[SYMBOL],
        help_text=_("UBND in “Số: …/BC-UBND”, TU in “Số …-BC/TU”; empty: the documents print no number."),
    )
    drafting_unit = forms.CharField(
        label=_("Drafting unit in “Lưu: VT, …”"),
        required=False,
        max_length=20,
        validators=[DRAFTING_UNIT],
        help_text=_(
            "The abbreviation of the unit that drafts the documents, as NV for the Phòng Nội vụ: the report, the "
            "notices and the invitations end “Lưu: VT, NV.” (Nghị định 30/2020/NĐ-CP). Empty: “Lưu: VT.”."
        ),
    )
    reports_to = forms.CharField(
        label=_("Managing authority"), required=False, max_length=255, help_text=REPORTS_TO_HELP, widget=KnownBodyInput
    )


class SignerForm(NFCFormMixin, forms.Form):
    """Who signs the body's documents (campaigns.set_signer), on the documents page."""

    name = forms.CharField(label=_("Signer"), max_length=255, required=False)
    post = forms.CharField(
        label=_("Post of the signer"),
        max_length=100,
        required=False,
        help_text=_("As printed under “TM.”: Chủ tịch, Phó Chủ tịch, Bí thư, Phó Bí thư."),
    )
    signing_for = forms.CharField(
        label=_("Signing for the head (KT., TL.)"),
        max_length=100,
        required=False,
        help_text=_(
            "Only when someone else signs for the head of a State body: the head's post, as Chủ tịch. "
            "A deputy signs “KT.”; the head of an office (Chánh Văn phòng) “TL.”."
        ),
    )


class AdjournForm(NFCFormMixin, forms.Form):
    """The chair's adjournment of the session to a later day (day.adjourn_conference)."""

    new_date = DayField(label=_("Held again on"))
    start_time = HourField(label=_("Start time (empty: as before)"), required=False)
    reason = forms.CharField(
        label=_("Reason (goes into the audit log)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    confirm = forms.BooleanField(
        label=_("I confirm the adjournment"),
        help_text=_(
            "The attendance and the counting committee of this session are cleared; the next session takes them again."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="adjourn", **kwargs)


class PersonNameMixin:
    """A name typed after a form of address ("Đ/c Nguyễn Văn An", "Đồng chí …") without it, as a
    list's name is imported: the documents write "đồng chí" before a name themselves."""

    def clean(self):
        data = super().clean()
        if data.get("full_name"):
            data["full_name"] = without_address(data["full_name"])
        return data


class RatedPersonForm(PersonNameMixin, NFCFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    post = forms.CharField(label=_("Post"), max_length=255)
    group = forms.CharField(label=_("Ballot group"), max_length=255, required=False)
    retirement_notified = forms.BooleanField(label=_("Notified of retirement"), required=False)
    took_office_on = DayField(label=_("Elected or appointed on"), required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("— according to the rule set —")), *RatedPerson.Decision.choices],
        required=False,
    )
    decision_note = forms.CharField(
        label=_("Reason for the decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("The office's own note, as its list has it. It decides nothing: the decision above does."),
    )

    def __init__(self, *args, vote: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("", _("— according to the rule set —")),
            *RatedPerson.decision_choices(vote),
        ]


class VoterForm(PersonNameMixin, NFCFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    post = forms.CharField(label=_("Post"), max_length=255)
    unit = forms.CharField(label=_("Unit"), max_length=255, required=False)
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=32,
        required=False,
        regex=r"^[0-9 +.\-()]*$",
        error_messages={"invalid": _("A phone number may hold only digits, spaces and + . - ( ).")},
    )
    email = forms.EmailField(label=_("Email"), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx), CSV or Word (.docx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.docx"}),
    )
    replace = forms.BooleanField(label=_("Replace the whole voter roll with this file"), required=False)


class RatedImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx), CSV or Word (.docx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="ds", **kwargs)  # the page also has the form to add one person


class OpinionsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx), CSV or Word (.docx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.docx"}),
    )
    repeats = forms.BooleanField(label=REPEATS_LABEL, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="bang", **kwargs)  # the page also has the form of one opinion


class DossierForm(NFCFormMixin, forms.Form):
    rated_person = forms.ModelChoiceField(RatedPerson.objects.none(), label=_("Rated person"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Dossier.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = DocumentField(label=_("PDF file"))

    def __init__(self, *args, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rated_person"].queryset = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)
        self.fields["rated_person"].label = conference.rated_words["one"]


class OwnDossierForm(NFCFormMixin, forms.Form):
    """A rated person sends their own report or dossier through their link (prefix "hs": the page
    also has the explanation form)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Dossier.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = DocumentField(label=_("PDF file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="hs", **kwargs)


class PaperOpinionForm(OnceFormMixin, NFCFormMixin, forms.Form):
    rated_person = forms.ModelChoiceField(
        RatedPerson.objects.none(), label=_("About"), required=False, empty_label=_("— general —")
    )
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_OPINION_CHARS)
    signed_by = forms.CharField(label=_("Signed by (leave empty if unsigned)"), max_length=255, required=False)
    received_on = DayField(label=_("Received on"))

    def __init__(self, *args, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rated_person"].queryset = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)


class VoterOpinionForm(OnceFormMixin, NFCFormMixin, forms.Form):
    rated_person = forms.ModelChoiceField(
        RatedPerson.objects.none(), label=_("About"), required=False, empty_label=_("— general —")
    )
    text = forms.CharField(
        label=_("Your opinion or question"), widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_OPINION_CHARS
    )
    sign = forms.BooleanField(label=_("Sign with my name"), required=False)

    def __init__(self, *args, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rated_person"].queryset = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)


class ClassifyForm(forms.Form):
    tag = forms.ChoiceField(choices=Opinion.Tag.choices)


class TickedOpinionsForm(forms.Form):
    """The opinions ticked on the list (their boxes belong to the bar's form, form="phan-loai")."""

    none_ticked = _("Tick the opinions to classify first.")
    opinions = forms.ModelMultipleChoiceField(Opinion.objects.none())

    def __init__(self, *args, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["opinions"]
        field.queryset = conference.opinions.all()
        gone = _("An opinion ticked is no longer on the list: open the page again.")
        field.error_messages.update(
            required=self.none_ticked, invalid_list=self.none_ticked, invalid_choice=gone, invalid_pk_value=gone
        )


class ClassifyManyForm(TickedOpinionsForm):
    """The opinions ticked, and the classification they are given (opinions.classify_opinions)."""

    tag = forms.ChoiceField(choices=Opinion.Tag.choices)


class RemoveOpinionsForm(TickedOpinionsForm):
    """The opinions ticked, to be removed as recorded by mistake, and why (opinions.remove_opinions)."""

    none_ticked = _("Tick the opinions to remove first.")
    reason = forms.CharField(
        label=_("Why they are removed"),
        max_length=255,
        required=False,
        help_text=_("For example: typed twice; about the wrong person; the table was imported twice."),
    )


class RemoveDocumentForm(forms.Form):
    """Why a dossier or an explanation not yet sent is removed (remove_dossier, remove_explanation)."""

    reason = forms.CharField(
        label=_("Why it is removed"),
        max_length=255,
        required=False,
        help_text=_(
            "For example: the wrong file; a draft; recorded for the wrong person. If the person sent it through "
            "their own link, they read it on their personal page."
        ),
    )


class AddressForm(forms.Form):
    """The rated person a general request for explanation goes to (opinions.address_request)."""

    rated_person = forms.ModelChoiceField(
        RatedPerson.objects.none(),
        label=_("Send to"),
        error_messages={
            "required": _("Choose the rated person this request goes to."),
            "invalid_choice": _("This person is not rated at this conference."),
        },
    )

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rated_person"].queryset = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)


class ExplanationForm(NFCFormMixin, forms.Form):
    text = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 6}))
    answers = forms.ModelMultipleChoiceField(
        Opinion.objects.none(), label=_("Answers the requests"), required=False, widget=forms.CheckboxSelectMultiple
    )
    file = DocumentField(label=_("PDF file (optional)"), required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        forwarded = person.opinions.filter(forwarded_on__isnull=False)
        if not forwarded.exists():  # nothing to tick: no empty "Answers the requests" heading
            del self.fields["answers"]
            return
        self.fields["answers"].queryset = forwarded
        self.fields["answers"].label_from_instance = lambda o: o.text[:200]
