import pytest
from django.core.management import call_command

from maillage.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from maillage.accounts.models import NetworkRole, StructureMembership, User
from maillage.accounts.rules import can
from maillage.directory.models import Network, Structure
from maillage.pathways.models import Accompaniment, Act, Person, Referral, ReferralStatus

pytestmark = pytest.mark.django_db

TWELVE = {
    "APEAS",
    "Intermade",
    "Accès conseil",
    "Essor13",
    "Energie Alternative",
    "Place",
    "Les Têtes de l'Art",
    "Profession Sport 13",
    "Agodis",
    "Babalex",
    "FSPVA",
    "LaPlateforme",
}


def counts():
    return tuple(
        model.objects.count()
        for model in (Network, Structure, User, StructureMembership, NetworkRole, Person, Act)
    )


@pytest.mark.sqlite
def test_loaddemo_creates_the_network_and_one_account_per_role_once(capsys, settings):
    """One load of the demo, then a second that must change nothing.

    Every step `make run` takes, on either engine, with the browser tests' 30 people instead
    of the 300 `make run` loads: the people go through the same services and the same SQL
    whatever their number (300 cost 100 s on SQLite, the whole subset's longest test)."""
    call_command("loaddemo")
    network = Network.objects.get()
    assert network.name == "Réseau d'accompagnement ESS des Bouches-du-Rhône"
    assert {s.name for s in network.structures.all()} == TWELVE
    for account in DEMO_ACCOUNTS:
        assert User.objects.get(email=account.email).check_password(DEMO_PASSWORD)
    intermade = Structure.objects.get(slug="intermade")
    admin = User.objects.get(email="admin.intermade@demo.maillage.test")
    assert can(admin, "change_structure", intermade)
    assert can(User.objects.get(email="coordination@demo.maillage.test"), "change_network", network)
    funder = User.objects.get(email="financeur@demo.maillage.test")
    assert can(funder, "access_backoffice") and not can(funder, "view_personal_records", intermade)
    assert can(User.objects.get(email="admin@demo.maillage.test"), "access_admin_site")
    output = capsys.readouterr().out
    assert "coordination@demo.maillage.test" in output and DEMO_PASSWORD in output

    # The pathways step ran, and left a lively network: waiting referrals, an advisor's own
    # referrals, accompaniments with their referents.
    assert Person.objects.count() >= settings.DEMO_PERSONS
    assert Referral.objects.filter(
        to_structure__slug="apeas", status__in=[ReferralStatus.SENT, ReferralStatus.RECEIVED]
    ).exists()
    assert Referral.objects.filter(
        from_structure__slug="intermade", from_user__email="conseil.intermade@demo.maillage.test"
    ).exists()
    assert Accompaniment.objects.filter(referent__email="conseil.apeas@demo.maillage.test").exists()

    before = counts()
    call_command("loaddemo", verbosity=0)
    assert counts() == before


@pytest.mark.sqlite
def test_loaddemo_is_all_or_nothing(monkeypatch):
    from maillage.accounts import demo as accounts_demo
    from maillage.core.demos import run_demo
    from maillage.directory.models import Network

    def failing_step(demo):
        raise RuntimeError("disk full")

    monkeypatch.setattr(accounts_demo, "load_demo", failing_step)
    with pytest.raises(RuntimeError):
        run_demo()
    assert not Network.objects.exists()


def test_updating_a_user_keeps_their_admin_status_unless_told():
    from maillage.accounts import services

    services.create_or_update_user(email="admin@demo.maillage.test", is_platform_admin=True)
    services.create_or_update_user(email="admin@demo.maillage.test", full_name="Changed")
    assert User.objects.get(email="admin@demo.maillage.test").is_superuser is True
    services.create_or_update_user(email="admin@demo.maillage.test", is_platform_admin=False)
    assert User.objects.get(email="admin@demo.maillage.test").is_superuser is False
