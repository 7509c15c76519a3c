"""JSON values <-> kaltura_mm models, through the ``objectType`` registry.

Decoding is lenient, because real servers are: numbers may arrive as strings
(``uploadedFileSize: "76786195"``), booleans as ints or JSON booleans, enums with values we do not
know; fields we do not model are kept in ``extra``; an unknown ``objectType`` decodes to its
nearest known base class with an ``UnknownObjectTypeWarning`` instead of failing.

Encoding writes what the server reads: camelCase names, ``objectType`` on every object, enums
and booleans as ints (PHP reads ``1``/``0`` right for both ``bool`` and ``KalturaNullableBoolean``),
``...In`` filter fields as CSV, ``name__null: ""`` to clear a property, read-only properties left
out (sending them on insert is an error).

The registry of ``objectType`` names (``registry``), decoding one object of a known class
(``object_decoding``), decoding a response value (``decoding``) and encoding (``encoding``) each
have a module; every name is importable from ``kaltura_mm.protocol.codec`` as before the split.
"""

from kaltura_mm.protocol.codec.decoding import (
    UnknownObjectTypeWarning,
    array_decoder,
    decode,
    decode_int,
    decode_list,
    decode_none,
    decode_str,
    decoder_for,
    list_decoder,
)
from kaltura_mm.protocol.codec.encoding import encode, encode_answer, encode_object, encode_params
from kaltura_mm.protocol.codec.object_decoding import ObjectDecoder, object_decoder
from kaltura_mm.protocol.codec.registry import (
    OBJECT_TYPES,
    PARAMS_TYPES,
    PARENTS,
    READ_ONLY,
    camel,
)
from kaltura_mm.protocol.converters import DecodeError

__all__ = [
    "OBJECT_TYPES",
    "PARAMS_TYPES",
    "PARENTS",
    "READ_ONLY",
    "DecodeError",
    "ObjectDecoder",
    "UnknownObjectTypeWarning",
    "array_decoder",
    "camel",
    "decode",
    "decode_int",
    "decode_list",
    "decode_none",
    "decode_str",
    "decoder_for",
    "encode",
    "encode_answer",
    "encode_object",
    "encode_params",
    "list_decoder",
    "object_decoder",
]
