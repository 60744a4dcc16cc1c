"""SQL compiled once per process for the few queries every log POST runs, where building and
compiling the queryset costs more than running it. The query is built once with stand-in
values and compiled; each run binds the real values in the stand-ins' places. The queryset
stays the one definition of what is read, and a test of each caller compares the two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _same(value: object, standin: object) -> bool:
    # By type too: a date must not match a datetime stand-in, nor True the number 1.
    return type(value) is type(standin) and value == standin


class CompiledOnce:
    """``compile(**standins)`` returns a Django SQL compiler ready for ``as_sql()``; it is called
    once, on first use. Each stand-in must be a value no real run passes (a negative id, a date
    in 1901) and must appear among the compiled parameters."""

    def __init__(self, compile: Callable[..., Any], **standins: object) -> None:
        self._compile = compile
        self._standins = standins
        self._compiled: tuple[Any, str, tuple[object, ...]] | None = None

    def compiler(self) -> Any:
        """The compiler, after ``as_sql()`` (its select and converters, for building rows)."""
        return self._compiled_once()[0]

    def bind(self, **values: object) -> tuple[str, list[object]]:
        """The SQL and its parameters with ``values`` (by stand-in name) in the stand-ins'
        places."""
        _, sql, params = self._compiled_once()
        pairs = [(standin, values[name]) for name, standin in self._standins.items()]
        bound = [
            next((value for standin, value in pairs if _same(param, standin)), param)
            for param in params
        ]
        return sql, bound

    def _compiled_once(self) -> tuple[Any, str, tuple[object, ...]]:
        if self._compiled is None:
            compiler = self._compile(**self._standins)
            sql, params = compiler.as_sql()
            missing = [
                name
                for name, standin in self._standins.items()
                if not any(_same(param, standin) for param in params)
            ]
            if missing:
                raise RuntimeError(f"The compiled query no longer takes {', '.join(missing)}.")
            self._compiled = (compiler, sql, tuple(params))
        return self._compiled
