"""Build frozen attrs models from decoded keyword values without their generated ``__init__``.

A ``MediaEntry`` has some seventy fields; attrs' frozen ``__init__`` sets each through a Python
call, which made building the objects of a 500-entry page cost more than parsing its JSON.
``builder`` returns a function doing the same work in C for classes without slots (the wide
ones, entries and categories): one ``__dict__.update``. The instance it returns holds exactly
what ``cls(**kwargs)`` would. Slotted classes, and classes whose fields need more than a plain
default (a validator, a converter other than ``extra``'s, a factory), get ``cls(**kwargs)``
itself. A required field missing from the values is a ``TypeError``, as ``cls(**kwargs)`` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import MemberDescriptorType
from typing import Any

import attrs

Builder = Callable[[Iterable[tuple[str, Any]], dict[str, Any] | None], Any]


def _plain(field: attrs.Attribute[Any]) -> bool:
    """Return True if ``field`` takes its value, or a constant default if it has one."""
    return (
        field.init
        and field.alias == field.name
        and field.validator is None
        and field.converter is None
        and not isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
    )


def builder(cls: type) -> Builder:
    """Return ``build(values, extra)``: a ``cls`` from (python name, value) pairs and ``extra``.

    ``extra`` is None for classes without an ``extra`` field.
    """
    return fast_builder(cls) or _calling(cls, "extra" in attrs.fields_dict(cls))


def fast_builder(cls: type, present: bool = False) -> Builder | None:
    """Return ``builder(cls)`` if it can skip ``cls.__init__`` (no slots, plain fields), or None.

    ``present``: the caller has made sure the required fields are among the values (the codec
    checks that once per shape of keys), so the builder does not look again for each object.
    """
    fields = attrs.fields(cls)
    extra_field = next((f for f in fields if f.name == "extra"), None)
    others = [f for f in fields if f is not extra_field]
    hooks = any(hasattr(cls, name) for name in ("__attrs_pre_init__", "__attrs_post_init__"))
    fast = not hooks and all(_plain(f) for f in others)
    if extra_field is not None:
        fast = fast and extra_field.init and extra_field.validator is None
    # Where the fields live: a slotted class may still have a ``__dict__`` (a base without
    # ``__slots__``), so look at the descriptor of the fields themselves. Slots are set one by
    # one whatever does it: attrs' own ``__init__`` is as fast there, so it is used.
    slotted = any(isinstance(getattr(cls, f.name, None), MemberDescriptorType) for f in fields)
    if not fast or slotted:
        return None
    # In field order, ``extra`` included, so that ``update`` keeps that order: instances then
    # share one key table (PEP 412) like those attrs' own ``__init__`` builds.
    # A required field's place is taken by a marker, so that a value missing from ``pairs`` shows.
    defaults = {f.name: None if f is extra_field else f.default for f in fields}
    required = () if present else tuple(f.name for f in others if f.default is attrs.NOTHING)
    convert_extra = extra_field.converter if extra_field is not None else None
    new = object.__new__

    def build(pairs: Iterable[tuple[str, Any]], extra: dict[str, Any] | None) -> Any:
        obj: Any = new(cls)
        values = obj.__dict__
        values.update(defaults)
        values.update(pairs)
        for name in required:
            if values[name] is attrs.NOTHING:
                raise TypeError(f"{cls.__name__} missing required field {name!r}")
        if extra is not None:
            values["extra"] = convert_extra(extra) if callable(convert_extra) else extra
        return obj

    return build


def _calling(cls: type, keeps_extra: bool) -> Builder:
    def build(pairs: Iterable[tuple[str, Any]], extra: dict[str, Any] | None) -> Any:
        kwargs = dict(pairs)
        if keeps_extra:
            kwargs["extra"] = extra if extra is not None else {}
        return cls(**kwargs)

    return build
