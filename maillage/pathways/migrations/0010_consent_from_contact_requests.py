"""The persons created from a public contact request before the consent ticked on the form was
recorded (issue 17, point 7): their consent to be contacted, with its text and date."""

from django.db import migrations


def record_consents(apps, schema_editor):
    Referral = apps.get_model("pathways", "Referral")
    Consent = apps.get_model("pathways", "Consent")
    referrals = (
        Referral.objects.filter(contact_request__isnull=False, person__anonymised_at__isnull=True)
        .exclude(person__consents__scope="contact")
        .select_related("contact_request")
    )
    Consent.objects.bulk_create(
        Consent(
            person_id=referral.person_id,
            scope="contact",
            method="online",
            given_at=referral.contact_request.consent_given_at,
            text=referral.contact_request.consent_text,
            structure_id=referral.contact_request.structure_id,
        )
        for referral in referrals.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0009_consent_text_and_contact_scope"),
    ]

    operations = [migrations.RunPython(record_consents, migrations.RunPython.noop)]
