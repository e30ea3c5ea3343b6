"""A toy third provider, registered for every test run by ``tests/conftest.py`` (importing it is its one registry line)."""

from bulk_tasks.providers import PROVIDERS

from .provider import Toy

PROVIDERS[Toy.name] = Toy
