"""The demo network: facts from the source documents (names, programmes), our own words."""

import json
from pathlib import Path

from maillage.directory import services
from maillage.directory.models import Network

DATA_FILE = Path(__file__).with_name("network.json")


def load_demo_network() -> Network:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    info = data["network"]
    network = services.upsert_network(
        slug=info["slug"], name=info["name"], description=info["description_fr"]
    )
    for item in data["structures"]:
        services.upsert_structure(
            slug=item["slug"],
            name=item["name"],
            legal_form=item["legal_form"],
            siret=item["siret"],
            address=item["address"],
            postal_code=item["postal_code"],
            city=item["city"],
            website=item["website"],
            summary=item["summary_fr"],
            networks=[network],
        )
    return network


def load_demo(demo) -> None:
    """Demo step of the directory app: the network and its twelve structures."""
    demo.network = load_demo_network()
