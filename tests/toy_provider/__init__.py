"""A toy third provider for the test run: ``pytest -p toy_provider`` registers it (the one registry line)."""

from bulk_tasks.providers import PROVIDERS

from .provider import Toy

PROVIDERS[Toy.name] = Toy
