"""Typed, validated model options (`--model-arg KEY=VALUE`): one declaration per model, derived from the
fields of its frozen config dataclass (type hints + `option(...)` bounds), checked before any data is read or
model time is spent, with one line per bad value and a did-you-mean for an unknown key."""
from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import json
import math
import re
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from gazebench.errors import ConfigError

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

Kind = Literal["int", "float", "bool", "str", "ints"]
"""`ints` is a tuple of integers (`1,2,-1` on the command line, or a JSON list)."""

BOUNDS_KEY = "gazebench.option.bounds"
"""dataclasses.field metadata key holding a field's `Bounds`."""
CHOICES_KEY = "gazebench.option.choices"
"""dataclasses.field metadata key holding a string field's allowed values."""
OPTIONS_ATTR = "gazebench_options"
"""Attribute of a registered factory (function or class) holding its `Options` (set by `with_options`)."""

MAX_IMAGE_SIZE = 2048
"""Largest square input side (pixels) any model option takes: a 2048² float32 image is 16 MiB per channel."""
MAX_BATCH = 4096
MAX_EPOCHS = 10_000
MAX_WIDTH = 8192
"""Channel, projection and attention widths (and LoRA alpha)."""
MAX_RANK = 1024
MAX_TOKENS = 8192
"""Text lengths and generation budgets."""
MAX_COUNT = 10_000
"""Per-image or per-class counts (prompts, sentences, regions, gaze targets)."""
MAX_LR = 10.0
MAX_WEIGHT = 1000.0
"""Loss weights and weight decay."""
MAX_SECONDS = 3600.0
MAX_SEED = 2**32 - 1
"""Largest seed (--seed and every seed option): numpy's legacy seeding and most samplers take 32-bit seeds."""

_INT = re.compile(r"[+-]?\d+")
_TRUE, _FALSE = ("true", "1"), ("false", "0")


@dataclass(frozen=True)
class Bounds:
    """Allowed numbers: inclusive (ge/le) or exclusive (gt/lt) limits, a step, and whether NaN/±inf pass."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    multiple_of: int | None = None
    nonfinite: bool = False
    """Accept NaN and ±inf (never by default: a NaN learning rate trains nothing, silently)."""

    def admits(self, x: float) -> bool:
        """True if `x` lies within every limit (a non-finite value only when `nonfinite`)."""
        if not math.isfinite(x):
            return self.nonfinite
        return ((self.ge is None or x >= self.ge) and (self.gt is None or x > self.gt)
                and (self.le is None or x <= self.le) and (self.lt is None or x < self.lt)
                and (self.multiple_of is None or x % self.multiple_of == 0))

    def describe(self) -> str:
        """`>= 1`, `> 0`, `in [0, 1]`, `in (0, 1]`, `>= 28, a multiple of 28` ... ('' when unbounded)."""
        low = (self.ge, "[") if self.ge is not None else (self.gt, "(") if self.gt is not None else None
        high = (self.le, "]") if self.le is not None else (self.lt, ")") if self.lt is not None else None
        if low and high:
            text = f"in {low[1]}{_num(low[0])}, {_num(high[0])}{high[1]}"
        elif low:
            text = f"{'>=' if low[1] == '[' else '>'} {_num(low[0])}"
        elif high:
            text = f"{'<=' if high[1] == ']' else '<'} {_num(high[0])}"
        else:
            text = ""
        if self.multiple_of is not None:
            text += f"{', ' if text else ''}a multiple of {self.multiple_of}"
        return text


def _num(x: float | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


NAMED_BOUNDS = {"seed": Bounds(ge=0, le=MAX_SEED)}
"""Bounds of an option known by name only (read from a plugin's signature): `seed=-1` is refused like `--seed -1`."""


def option(default: T, *, ge: float | None = None, gt: float | None = None, le: float | None = None,
           lt: float | None = None, multiple_of: int | None = None, nonfinite: bool = False,
           choices: tuple[str, ...] = ()) -> T:
    """A config dataclass field with a default and the bounds (or choices) its option is checked against."""
    bounds = Bounds(ge=ge, gt=gt, le=le, lt=lt, multiple_of=multiple_of, nonfinite=nonfinite)
    return cast(T, dataclasses.field(default=default, metadata={BOUNDS_KEY: bounds, CHOICES_KEY: choices}))


@dataclass(frozen=True)
class Option:
    """One model option: name, type, default, allowed values and a one-line help."""

    name: str
    kind: Kind
    default: Any
    help: str = ""
    bounds: Bounds = Bounds()
    choices: tuple[str, ...] = ()
    nullable: bool = False
    """`none` (or JSON null) is accepted and means None."""

    @property
    def type_name(self) -> str:
        """`int`, `float`, `bool`, `str`, `int list`, with `|none` when nullable."""
        name = "int list" if self.kind == "ints" else self.kind
        return f"{name}|none" if self.nullable else name

    def expected(self) -> str:
        """What a valid value looks like, for error messages and `list models`."""
        if self.choices:
            text = f"one of {', '.join(self.choices)}"
        else:
            text = {"int": "an integer", "float": "a number", "bool": "true or false (or 1/0)", "str": "a string",
                    "ints": "a comma-separated list of integers"}[self.kind]
            limit = self.bounds.describe()
            text += f" {limit}" if limit and self.kind != "ints" else ""
        return f"{text} or none" if self.nullable else text

    def coerce(self, value: Any) -> Any:
        """The value as this option's type; ValueError if it is not one of `expected()`."""
        if self.nullable and (value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null"))):
            return None
        out = _COERCE[self.kind](value)
        if self.choices and out not in self.choices:
            raise ValueError(value)
        if self.kind in ("int", "float") and not self.bounds.admits(out):
            raise ValueError(value)
        return out


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(value)
    try:
        return float(value)
    except OverflowError:
        raise ValueError(value) from None


def _to_bool(value: Any) -> bool:
    text = str(value).strip().lower() if isinstance(value, (bool, int, str)) else ""
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # `backbone=7` arrives JSON-parsed as 7
        return str(value)
    raise ValueError(value)


def _to_ints(value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else None
    if not items:
        raise ValueError(value)
    return tuple(_to_int(i) for i in items)


_COERCE: dict[str, Callable[[Any], Any]] = {"int": _to_int, "float": _to_float, "bool": _to_bool, "str": _to_str,
                                            "ints": _to_ints}


@dataclass(frozen=True)
class Options:
    """A model's declared options, in declaration order."""

    items: tuple[Option, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.items)

    def without(self, *names: str) -> Options:
        """These options minus `names` (options a factory fixes itself, e.g. the gaze target of `random-gaze`)."""
        return Options(tuple(o for o in self.items if o.name not in names))

    def parse(self, raw: Mapping[str, Any], model: str, flag: str = "--model-arg") -> dict[str, Any]:
        """Each raw value (a CLI string or a JSON-parsed value) as its option's type; every bad key or value is
        reported at once, one `<flag> KEY=VALUE: ...` clause each, in a single ConfigError line."""
        known = {o.name: o for o in self.items}
        out: dict[str, Any] = {}
        errors = []
        for key, value in raw.items():
            shown = f"{flag} {key}={_shown(value)}"
            if key not in known:
                errors.append(f"{shown}: {self._unknown(key, model)}")
                continue
            try:
                out[key] = known[key].coerce(value)
            except ValueError:
                errors.append(f"{shown}: expected {known[key].expected()} ({model})")
        if errors:
            raise ConfigError("; ".join(errors))
        return out

    def _unknown(self, key: str, model: str) -> str:
        if not self.items:
            return f"model {model} takes no options"
        close = difflib.get_close_matches(key, self.names, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(self.names)})"
        return f"unknown option for {model}{hint}"

    def describe(self) -> list[dict[str, Any]]:
        """JSON-ready rows (name, type, default, allowed, help) for `gazebench list models`."""
        return [{"name": o.name, "type": o.type_name, "default": list(o.default) if isinstance(o.default, tuple)
                 else o.default, "allowed": o.expected(), "help": o.help} for o in self.items]


def _shown(value: Any) -> str:
    """A raw value as the user typed it: strings bare, everything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def with_options(options: Options) -> Callable[[F], F]:
    """Decorator declaring a registered factory's (function's or class's) options."""

    def attach(factory: F) -> F:
        setattr(factory, OPTIONS_ATTR, options)
        return factory

    return attach


def options_of(factory: Callable[..., Any]) -> Options | None:
    """A factory's declared options; else derived from its signature when every parameter is a typed keyword
    with a default (a plugin's `__init__(self, seed: int = 0)`); None when it cannot be known (`**kwargs`)."""
    declared = getattr(factory, OPTIONS_ATTR, None)
    if isinstance(declared, Options):
        return declared
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        params = list(inspect.signature(factory).parameters.values())
        hints = typing.get_type_hints(target)
    except (TypeError, ValueError, NameError):
        return None
    items = []
    for p in params:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is p.empty or p.name not in hints:
            return None
        kind, nullable, choices = _kind_of(hints[p.name])
        items.append(Option(p.name, kind, p.default, nullable=nullable, choices=choices,
                            bounds=NAMED_BOUNDS.get(p.name, Bounds())))
    return Options(tuple(items))


def dataclass_options(cls: type[Any]) -> Options:
    """The options of a config dataclass: one per field, typed by its hint, bounded by its `option(...)`
    metadata, helped by its attribute docstring (derived once per class)."""
    if cls not in _DERIVED:
        _DERIVED[cls] = _derive_options(cls)
    return _DERIVED[cls]


_DERIVED: dict[type[Any], Options] = {}


def _derive_options(cls: type[Any]) -> Options:
    hints = typing.get_type_hints(cls)
    docs = _field_docs(cls)
    items = []
    for f in dataclasses.fields(cls):
        kind, nullable, choices = _kind_of(hints[f.name])
        items.append(Option(f.name, kind, f.default, docs.get(f.name, ""), f.metadata.get(BOUNDS_KEY, Bounds()),
                            choices or f.metadata.get(CHOICES_KEY, ()), nullable))
    return Options(tuple(items))


def check_fields(obj: Any) -> None:
    """Validate (and coerce, e.g. "3" → 3) every field of a frozen config dataclass in its `__post_init__`."""
    opts = dataclass_options(type(obj))
    values = opts.parse({name: getattr(obj, name) for name in opts.names}, type(obj).__name__)
    for name, value in values.items():
        object.__setattr__(obj, name, value)


def _kind_of(hint: Any) -> tuple[Kind, bool, tuple[str, ...]]:
    """(kind, nullable, choices) of a type hint; a hint no option can take is a programming error."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        kind, _, choices = _kind_of(inner)
        return kind, True, choices
    if origin is Literal:
        return "str", False, tuple(str(a) for a in args)
    if origin is tuple and args[1:] == (Ellipsis,) and args[0] is int:
        return "ints", False, ()
    names: dict[Any, Kind] = {int: "int", float: "float", bool: "bool", str: "str"}
    if hint in names:
        return names[hint], False, ()
    raise TypeError(f"no option type for {hint!r}")


def _field_docs(cls: type) -> dict[str, str]:
    """First line of each field's attribute docstring (the string right after its annotation), across the MRO."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, after in zip(body, body[1:], strict=False):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
                docs[node.target.id] = after.value.value.strip().splitlines()[0]
    return docs
