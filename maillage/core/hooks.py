"""Extension points between layers (as Wagtail's hooks): a lower app names a hook and calls what
is registered under it; a higher app registers a function there from its `AppConfig.ready`.

So the directory can let the pathways turn a contact request into a referral, or show a
structure's response time, without importing them (the import-linter contract in `make test`).
Each hook's name and the arguments its functions take are documented where it is called.
"""

from collections import defaultdict
from collections.abc import Callable

_registry: dict[str, list[Callable]] = defaultdict(list)


def register(name: str, function: Callable | None = None):
    """Register `function` under `name`; usable as `@register(name)`. Registering the same
    function twice has no effect (apps may be set up more than once in tests)."""

    def decorator(function: Callable) -> Callable:
        if function not in _registry[name]:
            _registry[name].append(function)
        return function

    return decorator(function) if function is not None else decorator


def get_hooks(name: str) -> list[Callable]:
    """The functions registered under `name`, in the order of registration."""
    return list(_registry.get(name, ()))
