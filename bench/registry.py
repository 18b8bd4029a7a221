"""A name-to-entry mapping that refuses duplicates and lists the valid names on a miss."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from bench.errors import BenchError

if TYPE_CHECKING:
    from collections.abc import ItemsView

T = TypeVar("T")


class Registry(Generic[T]):
    """A mapping of unique names to entries.

    Args:
        kind: what the entries are ("strategy", "workload"), used in error messages.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> T:
        if name in self._entries:
            raise ValueError(f"duplicate {self.kind} name {name!r}")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise BenchError(
                f"unknown {self.kind} {name!r}; accepted: {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def items(self) -> ItemsView[str, T]:
        return self._entries.items()

    def __len__(self) -> int:
        return len(self._entries)
