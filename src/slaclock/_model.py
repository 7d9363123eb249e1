"""Base class of slaclock's configuration models: frozen, strict about unknown keys, and
raising :class:`~slaclock.ConfigError` (with every problem's location) instead of
pydantic's ``ValidationError`` — from ``model_validate``, ``model_validate_json``,
``model_validate_strings``, the constructor and ``pydantic.TypeAdapter(Model)`` alike."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError


class _OwnErrors:
    """A model's validator that raises the model's own error instead of pydantic's
    ``ValidationError`` (what ``pydantic.TypeAdapter(Model)`` calls); everything else is
    delegated to the wrapped validator."""

    __slots__ = ("_inner", "_model")

    def __init__(self, inner: Any, model: type[FrozenModel]) -> None:
        self._inner = inner
        self._model = model

    def validate_python(self, input: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._inner.validate_python(input, *args, **kwargs)
        except ValidationError as exc:
            raise self._model._wrap_error(exc, input) from exc

    def validate_json(self, input: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._inner.validate_json(input, *args, **kwargs)
        except ValidationError as exc:
            raise self._model._wrap_error(exc, None) from exc

    def validate_strings(self, input: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._inner.validate_strings(input, *args, **kwargs)
        except ValidationError as exc:
            raise self._model._wrap_error(exc, input) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class FrozenModel(BaseModel):
    """Immutable pydantic model whose validation errors are :class:`ConfigError`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Once pydantic has built a subclass, wrap its validator (see :class:`_OwnErrors`)."""
        super().__pydantic_init_subclass__(**kwargs)
        validator = cls.__dict__.get("__pydantic_validator__")
        if cls.__pydantic_complete__ and not isinstance(validator, _OwnErrors | None):
            cls.__pydantic_validator__ = _OwnErrors(validator, cls)  # type: ignore[assignment]

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise type(self)._wrap_error(exc, data) from exc

    # Tell pydantic this __init__ is a plain base init, so model_validate() and nested
    # validation do not route through it (which would wrap errors twice).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def _wrap_error(cls, exc: ValidationError, data: Any) -> Exception:
        """The library error to raise for a failed validation of ``data``."""
        return ConfigError.from_validation(cls.__name__, exc)

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a configuration mapping; raises :class:`~slaclock.ConfigError`."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise cls._wrap_error(exc, obj) from exc

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate a JSON document; raises :class:`~slaclock.ConfigError`."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise cls._wrap_error(exc, None) from exc

    @classmethod
    def model_validate_strings(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping of strings; raises :class:`~slaclock.ConfigError`."""
        try:
            return super().model_validate_strings(obj, **kwargs)
        except ValidationError as exc:
            raise cls._wrap_error(exc, obj) from exc

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Load from a ``.toml`` or ``.json`` file (``.yaml`` / ``.yml`` when PyYAML is
        installed); raises :class:`~slaclock.ConfigError` naming the file."""
        data = load_mapping(path)
        try:
            return cls.model_validate(data)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}", exc.errors) from exc


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read a TOML, JSON or YAML file into a dict; errors are ConfigError naming the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {str(p)!r}: {exc.strerror}") from exc
    suffix = p.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        elif suffix == ".json":
            data = json.loads(raw)
        elif suffix in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:
                raise ConfigError(
                    f"{str(p)!r} is YAML but PyYAML is not installed; pip install pyyaml"
                ) from None
            data = yaml.safe_load(raw)
        else:
            raise ConfigError(
                f"configuration file {str(p)!r} has an unknown suffix {suffix!r}; "
                "use .toml or .json"
            )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{str(p)!r} is not valid {suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{str(p)!r} must hold a table/object at the top level")
    return data
