"""The demo, assembled from each app's `demo.py`.

Every app may have a `demo` module with a `load_demo(demo)` function. `loaddemo` calls them in the
order of INSTALLED_APPS, all in one transaction, handing each the same `Demo` object so that later
apps build on what earlier ones made (the network, the structures, the accounts…). Each step must
be idempotent: running the demo twice changes nothing.
"""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction


@dataclass
class Demo:
    network: object = None
    password: str = ""
    logins: list[tuple[str, str]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def demo_steps():
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.startswith("maillage.") and find_spec(module_name) is not None:
            module = import_module(module_name)
            if hasattr(module, "load_demo"):
                yield config.label, module.load_demo


@transaction.atomic
def run_demo() -> Demo:
    demo = Demo()
    for _label, step in demo_steps():
        step(demo)
    return demo
