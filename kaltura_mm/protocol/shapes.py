"""Decoders of one object shape, for the wide models.

The objects of a page share their keys and value types (a *shape*). For one shape, which value
is taken as it is, which is converted and which is kept in ``extra`` is known before the object
is read (a ``Layout``), so its decoder does nothing else. Two kinds, both filling the instance's
``__dict__`` from a copy of the defaults and then the values:

- ``layout_builder``: a loop over the layout, ready at once (a new shape costs microseconds);
- ``written_decoder``: the same work written out as Python source for that one shape and
  compiled (half a millisecond, once), which also checks that an object has the shape (its keys
  in order, then the type of each value). It decodes a 500-entry page in well under the time
  of the loop (issue 20: the decode against ``json.loads`` of the same bytes), so the codec
  writes one for a shape that keeps coming.

Only for the classes ``build.fast_builder`` builds exactly (no slots, plain fields): the instance
then holds what ``cls(**kwargs)`` would. No text from the server goes into the source: keys,
types and converters are names bound in the decoder's namespace; the source holds only the
Python field names of the model and generated local names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

import attrs

from kaltura_mm.protocol.build import FastPlan
from kaltura_mm.protocol.converters import Converter

# A converter's error (``ValueError``, ``TypeError``) goes through both kinds of decoder: the
# caller decodes that object value by value then, keeping the value it could not read in
# ``extra``. A written decoder returns None for an object not of its shape; a layout builder
# takes the values of an object the caller knows to be of its shape.
ShapeDecoder = Callable[[Mapping[str, Any]], Any]
LayoutBuilder = Callable[[tuple[Any, ...]], Any]

# Past this many keys an object's decoder is not written out (its source would only grow).
MAX_KEYS = 400


@attrs.frozen
class Layout:
    """Where each value of objects of one shape goes, by its position among their values."""

    keys: tuple[str, ...]  # the wire names, in order
    kinds: tuple[type, ...]  # the type of each value, in the same order
    taken: tuple[tuple[int, str], ...]  # (position, python name) of values taken as they are
    converted: tuple[tuple[int, str, Converter], ...]  # (position, python name, converter)
    extra: tuple[int, ...]  # positions of the fields the model lacks (kept in ``extra``)


def layout_builder(plan: FastPlan, layout: Layout) -> LayoutBuilder:
    """Return the builder of a ``plan.cls`` from the values of an object of ``layout``'s shape."""
    model, defaults, convert_extra = plan.cls, plan.defaults, plan.convert_extra
    names = tuple(name for _, name in layout.taken)
    pick = _picker(tuple(position for position, _ in layout.taken))
    converted = layout.converted
    extra = tuple((position, layout.keys[position]) for position in layout.extra)
    new = object.__new__

    def build(values: tuple[Any, ...]) -> Any:
        obj: Any = new(model)
        fields = obj.__dict__
        fields.update(defaults)  # on an empty ``__dict__`` a copy of the table, in C
        fields.update(zip(names, pick(values), strict=False))  # of one length
        for position, name, convert in converted:
            fields[name] = convert(values[position])
        if convert_extra is not None:
            fields["extra"] = convert_extra({wire: values[at] for at, wire in extra})
        return obj

    return build


def _picker(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Return a function taking the values at ``positions`` out of a tuple, as a tuple."""
    if len(positions) >= 2:
        return itemgetter(*positions)  # in C; with one position it would not return a tuple
    return lambda values: tuple(values[at] for at in positions)


def written_decoder(plan: FastPlan, layout: Layout) -> tuple[ShapeDecoder, LayoutBuilder]:
    """Return the decoder of objects of ``layout``'s shape into ``plan.cls`` instances, written
    out as source (None for an object of another shape), and its builder: the same without the
    checks, for the values of an object the caller knows to be of the shape."""
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "model": plan.cls,
        "defaults": plan.defaults,
        "convert_extra": plan.convert_extra,
        "KEYS": layout.keys,
    }
    values = [f"v{position}" for position in range(len(layout.keys))]
    checked = sorted(
        [position for position, _ in layout.taken]
        + [position for position, _, _ in layout.converted]
    )
    checks = []
    for position in checked:
        namespace[f"T{position}"] = layout.kinds[position]
        checks.append(f"type(v{position}) is T{position}")
    stores = [f"    fields[{name!r}] = v{position}" for position, name in layout.taken]
    for position, name, convert in layout.converted:
        namespace[f"convert{position}"] = convert
        stores.append(f"    fields[{name!r}] = convert{position}(v{position})")
    if plan.convert_extra is not None:
        for position in layout.extra:
            namespace[f"K{position}"] = layout.keys[position]
        kept = ", ".join(f"K{position}: v{position}" for position in layout.extra)
        stores.append(f"    fields['extra'] = convert_extra({{{kept}}})")
    unpack = f"    {', '.join(values)}, = " if values else "    _ = "
    body = [
        "    obj = new(model)",
        "    fields = obj.__dict__",
        "    fields.update(defaults)  # on an empty __dict__ a copy of the table, in C",
        *stores,
        "    return obj",
    ]
    source = "\n".join(
        [
            "def decode(data):",
            "    if tuple(data) != KEYS:",
            "        return None",
            unpack + "data.values()",
            f"    if not ({' and '.join(checks) or 'True'}):",
            "        return None",
            *body,
            "def build(values):",
            unpack + "values",
            *body,
        ]
    )
    # As attrs writes ``__init__``: the source is ours (field names, generated names), never data.
    code = compile(source, f"<decoder of a {plan.cls.__name__} shape>", "exec")
    exec(code, namespace)  # noqa: S102
    decoder: ShapeDecoder = namespace["decode"]
    builder: LayoutBuilder = namespace["build"]
    return decoder, builder
