"""Users and the roles they hold in structures and networks.

Who may do what is decided in `rules.py` only; these models just record the facts it reads.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Logging in ignores the case of the e-mail address.
        return self.get(email__iexact=self.normalize_email(username))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff of a structure, a coordinator, a funder, a platform admin.

    `is_superuser` marks the platform admin (technical administration through the admin site).
    It grants nothing in `rules.py` beyond what that module says explicitly.
    """

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the pages and of the e-mails you receive."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the technical administration site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class StructureRole(models.TextChoices):
    ADVISOR = "advisor", _("Advisor")
    STRUCTURE_ADMIN = "structure_admin", _("Structure administrator")


class NetworkRoleKind(models.TextChoices):
    COORDINATOR = "coordinator", _("Network coordinator")
    FUNDER = "funder", _("Funder")


class StructureMembership(models.Model):
    """A user works in a structure, as an advisor or as its administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="structure_memberships",
        verbose_name=_("user"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("structure"),
    )
    role = models.CharField(_("role"), max_length=20, choices=StructureRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("structure membership")
        verbose_name_plural = _("structure memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"],
                name="accounts_membership_one_per_structure",
                violation_error_message=_("This user already has a role in this structure."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=StructureRole.values),
                name="accounts_membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.structure}"


class NetworkRole(models.Model):
    """A user acts for a whole network: as its coordinator, or as one of its funders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="network_roles",
        verbose_name=_("user"),
    )
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="user_roles",
        verbose_name=_("network"),
    )
    role = models.CharField(_("role"), max_length=20, choices=NetworkRoleKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("network role")
        verbose_name_plural = _("network roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network", "role"],
                name="accounts_network_role_unique",
                violation_error_message=_("This user already has this role in this network."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=NetworkRoleKind.values),
                name="accounts_network_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.network}"


# Roles attach to the directory's networks and structures. `accounts` sits below the domain apps
# and imports none of them (the import-linter contract): it reaches those two models through its
# own foreign keys.


def structure_model():
    """The directory's Structure model."""
    return StructureMembership._meta.get_field("structure").related_model


def network_model():
    """The directory's Network model."""
    return NetworkRole._meta.get_field("network").related_model
