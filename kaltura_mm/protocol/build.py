"""Build frozen attrs models from decoded values without their generated ``__init__``.

A ``MediaEntry`` has some seventy fields; attrs' frozen ``__init__`` sets each through a Python
call, which made building the objects of a 500-entry page cost more than parsing its JSON.
For classes without slots (the wide ones, entries and categories) the builders here do the same
work in C: the instance's ``__dict__`` is filled from a copy of the defaults and then the values.
The instance holds exactly what ``cls(**kwargs)`` would. Slotted classes, and classes whose
fields need more than a plain default (a validator, a converter other than ``extra``'s, a
factory), get ``cls(**kwargs)`` itself. A required field missing from the values is a
``TypeError``, as ``cls(**kwargs)`` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import MemberDescriptorType
from typing import Any

import attrs

from kaltura_mm.protocol.converters import Converter

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


@attrs.frozen
class FastPlan:
    """What building a ``cls`` without its ``__init__`` needs, for a class where that is exact."""

    cls: type
    # Every field in field order, ``extra`` included, so that filling ``__dict__`` from a copy
    # keeps that order; a required field's place holds ``attrs.NOTHING``, so a gap shows.
    defaults: dict[str, Any]
    required: tuple[str, ...]
    convert_extra: Converter | None  # None: the class has no ``extra`` field

    @classmethod
    def of(cls, model: type) -> FastPlan | None:
        """Return the plan of ``model``, or None if only its ``__init__`` builds it exactly."""
        fields = attrs.fields(model)
        extra_field = next((f for f in fields if f.name == "extra"), None)
        others = [f for f in fields if f is not extra_field]
        hooks = any(hasattr(model, n) for n in ("__attrs_pre_init__", "__attrs_post_init__"))
        fast = not hooks and all(_plain(f) for f in others)
        if extra_field is not None:
            fast = fast and extra_field.init and extra_field.validator is None
        # Where the fields live: a slotted class may still have a ``__dict__`` (a base without
        # ``__slots__``), so look at the descriptor of the fields themselves. Slots are set one
        # by one whatever does it: attrs' own ``__init__`` is as fast there, so it is used.
        slotted = any(
            isinstance(getattr(model, f.name, None), MemberDescriptorType) for f in fields
        )
        if not fast or slotted:
            return None
        convert_extra = None
        if extra_field is not None:
            given = extra_field.converter
            convert_extra = given if callable(given) else _same
        return cls(
            model,
            {f.name: None if f is extra_field else f.default for f in fields},
            tuple(f.name for f in others if f.default is attrs.NOTHING),
            convert_extra,
        )


def _same(value: Any) -> Any:
    return value


def fast_builder(cls: type) -> Builder | None:
    """Return ``builder(cls)`` if it can skip ``cls.__init__`` (no slots, plain fields), or None."""
    fast = FastPlan.of(cls)
    if fast is None:
        return None
    model, defaults, required = fast.cls, fast.defaults, fast.required
    convert_extra = fast.convert_extra or _same
    new = object.__new__

    def build(pairs: Iterable[tuple[str, Any]], extra: dict[str, Any] | None) -> Any:
        obj: Any = new(model)
        values = obj.__dict__
        values.update(defaults)  # on an empty ``__dict__`` a copy of the table, in C
        values.update(pairs)
        for name in required:
            if values[name] is attrs.NOTHING:
                raise TypeError(f"{model.__name__} missing required field {name!r}")
        if extra is not None:
            values["extra"] = convert_extra(extra)
        return obj

    return build


def _calling(cls: type, keeps_extra: bool) -> Builder:
    def build(pairs: Iterable[tuple[str, Any]], extra: dict[str, Any] | None) -> Any:
        kwargs = dict(pairs)
        if keeps_extra:
            kwargs["extra"] = extra if extra is not None else {}
        return cls(**kwargs)

    return build
