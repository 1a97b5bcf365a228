"""Reads on the directory."""

from django.db.models import Prefetch

from .models import Network, Structure


def networks_with_structures():
    return Network.objects.prefetch_related(
        Prefetch(
            "structures", queryset=Structure.objects.select_related("legal_form").order_by("name")
        )
    ).order_by("name")
