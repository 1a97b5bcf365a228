"""The directory: networks, structures, their offers and sessions, the stages of the pathway and
the French territories they serve. Everything here is public once published, except contact
requests (personal data, seen only by the staff of the structure asked)."""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maillage.core.french import Named
from maillage.core.models import Referential
from maillage.core.translated import TranslatedContent

from .validators import validate_siret

# --- Referentials (rows loaded from referentials/*.json, extendable) --------------------------


class LegalForm(Referential):
    class Meta(Referential.Meta):
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")


class OfferFormat(Referential):
    """How an offer is delivered; maps to data·inclusion service types."""

    di_types = models.JSONField(
        _("data·inclusion service types"),
        default=list,
        blank=True,
        help_text=_("Codes of the data·inclusion 'types de services' this format is exported as."),
    )

    class Meta(Referential.Meta):
        verbose_name = _("offer format")
        verbose_name_plural = _("offer formats")


class Audience(Referential):
    di_code = models.CharField(
        _("data·inclusion public"),
        max_length=80,
        blank=True,
        help_text=_("The data·inclusion 'publics' code; empty when it has none."),
    )

    class Meta(Referential.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class AccessMode(Referential):
    """How a person gets into an offer (data·inclusion 'modes de mobilisation')."""

    di_code = models.CharField(_("data·inclusion code"), max_length=80, blank=True)

    class Meta(Referential.Meta):
        verbose_name = _("access mode")
        verbose_name_plural = _("access modes")


class ReceptionMode(Referential):
    """Where the offer takes place (data·inclusion 'modes d'accueil')."""

    di_code = models.CharField(_("data·inclusion code"), max_length=80, blank=True)

    class Meta(Referential.Meta):
        verbose_name = _("reception mode")
        verbose_name_plural = _("reception modes")


# --- Territories (loaded from Etalab's decoupage-administratif) -------------------------------


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("Intercommunality (EPCI)")
    COMMUNE = "commune", _("Commune")
    ARRONDISSEMENT = "arrondissement", _("Municipal arrondissement")


class Territory(models.Model):
    """A French administrative area with its official code (INSEE, or SIREN for an EPCI).

    A commune or municipal arrondissement knows the codes of the areas that contain it, so that
    "does this offer serve this commune?" is a lookup, not a walk.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=TerritoryKind.choices)
    code = models.CharField(_("code"), max_length=9)
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=3, blank=True)
    departement_code = models.CharField(_("département code"), max_length=3, blank=True)
    epci_code = models.CharField(_("EPCI code"), max_length=9, blank=True)
    commune_code = models.CharField(
        _("commune code"), max_length=5, blank=True, help_text=_("For an arrondissement.")
    )
    postal_codes = models.JSONField(_("postal codes"), default=list, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint("kind", "code", name="directory_territory_kind_code"),
        ]

    def __str__(self):
        if self.kind in (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT):
            return f"{self.name} ({self.departement_code})"
        return self.name

    @property
    def containing_codes(self) -> set[tuple[str, str]]:
        """(kind, code) of this territory and of every area that contains it."""
        codes = {(self.kind, self.code)}
        for kind, code in (
            (TerritoryKind.COMMUNE, self.commune_code),
            (TerritoryKind.EPCI, self.epci_code),
            (TerritoryKind.DEPARTEMENT, self.departement_code),
            (TerritoryKind.REGION, self.region_code),
        ):
            if code:
                codes.add((kind, code))
        return codes


class NameArticle(models.TextChoices):
    """The article a network's name takes in a French sentence: "le Réseau …" makes "Rapport du
    Réseau …"; a proper name ("Intermade") takes none."""

    NONE = "", _("none (a proper name)")
    LE = "le", "le"
    LA = "la", "la"
    L = "l'", "l'"
    LES = "les", "les"


class Network(TranslatedContent, models.Model):
    """A cooperation of support structures on a territory."""

    translated_fields = ("description",)

    name = models.CharField(_("name"), max_length=200)
    name_article = models.CharField(
        _("article of the name"),
        max_length=3,
        choices=NameArticle.choices,
        blank=True,
        help_text=_("In French: le Réseau…, la Coopérative…; none for a proper name."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def named(self):
        """The name with its article, for sentences built around it (`core.french.with_names`:
        "Rapport du Réseau …")."""
        return Named(self.name, self.name_article)


phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,20}$", _("Enter a phone number, e.g. 04 91 00 00 00 or +33 4 91 00 00 00.")
)


class Structure(TranslatedContent, models.Model):
    """An organisation that supports project holders (association, cooperative, …)."""

    translated_fields = ("summary", "positioning")

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    legal_form = models.ForeignKey(
        LegalForm,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="legal_form",
        related_name="+",
        verbose_name=_("legal form"),
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 digits, from the Sirene register."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    commune = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune (INSEE)"),
        limit_choices_to={"kind__in": [TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT]},
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    positioning = models.TextField(
        _("ESS positioning statement"),
        blank=True,
        help_text=_("How the structure places its work in the social and solidarity economy."),
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    positioning_en = models.TextField(_("ESS positioning statement (English)"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    territories = models.ManyToManyField(
        Territory, related_name="+", blank=True, verbose_name=_("territory served")
    )
    networks = models.ManyToManyField(
        Network, related_name="structures", blank=True, verbose_name=_("networks")
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "siret",
                condition=~models.Q(siret=""),
                name="directory_structure_siret_unique",
                violation_error_message=_("Another structure already has this SIRET number."),
            ),
            models.CheckConstraint(
                condition=models.Q(siret="") | models.Q(siret__regex=r"^[0-9]{14}$"),
                name="directory_structure_siret_digits",
                violation_error_message=_("A SIRET number has exactly 14 digits."),
            ),
        ]
        indexes = [models.Index(Lower("name"), name="directory_structure_lname")]

    def __str__(self):
        return self.name


class Stage(TranslatedContent, models.Model):
    """A stage of a network's pathway, in order, with the questions people ask at that stage."""

    translated_fields = ("name", "summary", "questions")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="stages", verbose_name=_("network")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    summary = models.TextField(_("summary"), blank=True)
    questions = models.TextField(
        _("questions project holders ask"),
        blank=True,
        help_text=_("One question per line."),
    )
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    questions_en = models.TextField(
        _("questions project holders ask (English)"),
        blank=True,
        help_text=_("One question per line."),
    )
    di_thematiques = models.JSONField(
        _("data·inclusion themes"),
        default=list,
        blank=True,
        help_text=_("Codes of the data·inclusion 'thématiques' the offers of this stage carry."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["network", "position"]
        constraints = [
            models.UniqueConstraint("network", "slug", name="directory_stage_network_slug"),
        ]

    def __str__(self):
        return self.name

    @property
    def question_list(self) -> list[str]:
        """The questions, in the reader's language (see `TranslatedContent`)."""
        return [line.strip() for line in self.tr.questions.splitlines() if line.strip()]


class SelectionMode(models.TextChoices):
    NONE = "none", _("Open to all, no selection")
    INTERVIEW = "interview", _("After an interview")
    COMMITTEE = "committee", _("After a selection committee")
    APPLICATION = "application", _("On written application")


class Offer(TranslatedContent, models.Model):
    """A programme of a structure (offre, dispositif), placed on one or more stages."""

    translated_fields = ("title", "summary", "description", "duration")

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="offers", verbose_name=_("structure")
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences shown on the map.")
    )
    description = models.TextField(_("description"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=150, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    duration_en = models.CharField(_("duration (English)"), max_length=200, blank=True)
    stages = models.ManyToManyField(Stage, related_name="offers", verbose_name=_("stages"))
    format = models.ForeignKey(
        OfferFormat, on_delete=models.PROTECT, related_name="+", verbose_name=_("format")
    )
    duration = models.CharField(
        _("duration"), max_length=200, blank=True, help_text=_("E.g. 9 days over one month.")
    )
    duration_weeks = models.PositiveSmallIntegerField(_("duration in weeks"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    selection_mode = models.CharField(
        _("selection"), max_length=20, choices=SelectionMode.choices, default=SelectionMode.NONE
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Usual number of places per session.")
    )
    audiences = models.ManyToManyField(
        Audience, related_name="+", blank=True, verbose_name=_("audiences")
    )
    audience_details = models.TextField(_("audience details"), blank=True)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    cost_details = models.CharField(_("cost details"), max_length=300, blank=True)
    funding = models.CharField(_("funded by"), max_length=300, blank=True)
    access_modes = models.ManyToManyField(
        AccessMode, related_name="+", blank=True, verbose_name=_("how to apply")
    )
    reception_modes = models.ManyToManyField(
        ReceptionMode, related_name="+", blank=True, verbose_name=_("where it takes place")
    )
    how_to_apply = models.TextField(_("how to apply, in words"), blank=True)
    territories = models.ManyToManyField(
        Territory,
        related_name="+",
        blank=True,
        verbose_name=_("territory"),
        help_text=_("Leave empty when the offer serves the structure's whole territory."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    external_url = models.URLField(_("web page"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["structure__name", "title"]
        constraints = [
            models.UniqueConstraint("structure", "slug", name="directory_offer_structure_slug"),
        ]
        indexes = [models.Index("updated_at", name="directory_offer_updated")]

    def __str__(self):
        return self.title


class OfferDocument(models.Model):
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("offer")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="documents/", blank=True)
    url = models.URLField(_("link"), blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""),
                name="directory_offerdocument_file_or_url",
                violation_error_message=_("Give a file or a link."),
            ),
        ]

    def __str__(self):
        return self.title


class OfferSession(models.Model):
    """A dated run of an offer, with its place and capacity."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("offer")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="directory_session_ends_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(application_deadline__isnull=True)
                | models.Q(application_deadline__lte=models.F("ends_on")),
                name="directory_session_deadline_before_end",
                violation_error_message=_(
                    "The application deadline must fall before the session ends."
                ),
            ),
        ]
        indexes = [models.Index("offer", "starts_on", name="directory_session_offer_start")]

    def __str__(self):
        return f"{self.offer} ({self.starts_on:%d/%m/%Y})"


class ContactRequestStatus(models.TextChoices):
    NEW = "new", _("New")
    HANDLED = "handled", _("Handled")


class ContactRequest(models.Model):
    """A visitor asked to be contacted by a structure (from the orientation or an offer page).

    Personal data: seen only by the staff of the structure asked (`view_personal_records`).
    The pathways app turns it into a referral.
    """

    structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        related_name="contact_requests",
        verbose_name=_("structure"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_requests",
        verbose_name=_("offer"),
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested stage"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    message = models.TextField(_("message"), blank=True)
    answers = models.JSONField(_("orientation answers"), default=dict, blank=True)
    consent_given_at = models.DateTimeField(_("consent given at"))
    consent_text = models.TextField(_("consent text shown"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContactRequestStatus.choices,
        default=ContactRequestStatus.NEW,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="directory_contactrequest_email_or_phone",
                violation_error_message=_("Give an e-mail address or a phone number."),
            ),
        ]
        indexes = [models.Index("structure", "status", name="directory_contact_status")]

    def __str__(self):
        return f"{self.first_name} {self.last_name[:1]}".strip()
