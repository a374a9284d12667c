"""Input validation: pydantic models that mirror the original Zod schemas, and their shared field types.

The original rules (the contract's section 4): a person's firstName and lastName 1–50 characters, address
≤ 200, city ≤ 100, state 2–50, zipCode 12345 or 12345-6789, at most 20 tags of ≤ 50
characters; a deal's title 1–200, description ≤ 2,000, amount > 0, commissionRate and probability 0–100;
a property's address 1–200, price > 0, bedrooms 0–50, bathrooms 0–50 in halves, squareFeet > 0; a
communication's subject ≤ 200 and body ≤ 10,000. Text is stripped first, and no text anywhere (a field, a
filter, a list item, a JSON key or value) may hold a NUL character, which PostgreSQL cannot store.
"""

from __future__ import annotations

import json
import math
import uuid
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    UrlConstraints,
    ValidationError,
    create_model,
    field_validator,
)
from strawberry.utils.str_converters import to_camel_case

from winnerr.errors import Issue, NotFound, ValidationFailed

DEFAULT_PHONE_REGION = "US"
NUL = "\x00"

# customFields: a small bag of extra facts about a person, bounded so that one row stays small.
MAX_CUSTOM_FIELDS_BYTES = 16 * 1024  # the whole object, as compact UTF-8 JSON
MAX_CUSTOM_FIELDS_DEPTH = 5  # {"a": {"b": 1}} is 2 deep; a list is a level too
MAX_CUSTOM_FIELDS_KEYS = 100  # keys at every level together
MAX_CUSTOM_FIELDS_TEXT = 1000  # characters of one key or one string value


def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("must be a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("must be a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"must be an e-mail address ({exc})") from exc


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    """customFields within its bounds (see MAX_CUSTOM_FIELDS_*), holding only finite numbers."""
    keys = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)) and depth > MAX_CUSTOM_FIELDS_DEPTH:
            raise ValueError(f"must be nested at most {MAX_CUSTOM_FIELDS_DEPTH} levels deep")
        if isinstance(item, dict):
            keys += len(item)
            if keys > MAX_CUSTOM_FIELDS_KEYS:
                raise ValueError(f"must have at most {MAX_CUSTOM_FIELDS_KEYS} keys")
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and len(item) > MAX_CUSTOM_FIELDS_TEXT:
            raise ValueError(f"keys and texts must have at most {MAX_CUSTOM_FIELDS_TEXT} characters")
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("numbers must be finite")
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_CUSTOM_FIELDS_BYTES:
        raise ValueError(f"must be at most {MAX_CUSTOM_FIELDS_BYTES} bytes of JSON, not {size}")
    return value


def secure_url(max_length: int) -> AfterValidator:
    """An absolute https URL with a host (parsed as a URL, not only checked for its prefix), kept as text."""
    url = TypeAdapter(Annotated[AnyUrl, UrlConstraints(max_length=max_length, allowed_schemes=["https"])])

    def check(value: str) -> str:
        try:
            return str(url.validate_python(value))
        except ValidationError as exc:
            raise ValueError(f"must be an https URL ({_message(exc.errors()[0])})") from None

    return AfterValidator(check)


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Text50 = Annotated[str, _text(0, 50)]
Text100 = Annotated[str, _text(0, 100)]
Text200 = Annotated[str, _text(0, 200)]
Text2000 = Annotated[str, _text(0, 2000)]
Text10000 = Annotated[str, _text(0, 10_000)]
LongText = Annotated[str, _text(0, 5000)]
Required50 = Annotated[str, _text(1, 50)]
Required100 = Annotated[str, _text(1, 100)]
Required200 = Annotated[str, _text(1, 200)]
Password = Annotated[str, _text(8, 200)]
Name = Required50
Phone = Annotated[str, AfterValidator(_e164)]
Email = Annotated[str, AfterValidator(_email)]
ZipCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{5}(-[0-9]{4})?$")]
State = Annotated[str, _text(2, 50)]
Percent = Annotated[int, Field(ge=0, le=100)]
PercentDecimal = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Tags = Annotated[list[Required50], Field(max_length=20)]
CustomFields = Annotated[dict[str, Any], AfterValidator(_bounded_json)]


class Rules(BaseModel):
    """Base of every input model: unknown fields are refused, text is stripped, NUL is refused everywhere."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise ValueError("must not contain NUL characters (U+0000)")
        return value


def _holds_nul(value: Any) -> bool:
    """Whether any text in `value` (and, for lists and JSON objects, in their items and keys) holds NUL."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and NUL in item:
            return True
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return False


Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], data: dict[str, Any], *, at: str | None = "input") -> Model:
    """Validate `data` or raise `ValidationFailed` listing every bad field by its GraphQL path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        prefix: list[str | int] = [at] if at else []
        issues = [Issue([*prefix, *_graphql_path(error["loc"])], _message(error)) for error in exc.errors()]
        raise ValidationFailed(issues) from None


def _graphql_path(location: tuple[str | int, ...]) -> list[str | int]:
    return [to_camel_case(part) if isinstance(part, str) else part for part in location]


def _message(error: Any) -> str:
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def partial(model: type[Model]) -> type[Model]:
    """The same rules with every field optional, for updates: absent fields stay as they are.

    An explicit null is still validated, so it is refused for a field that may not be empty.
    """
    fields: dict[str, Any] = {
        name: (Annotated[info.annotation, *info.metadata], None) if info.metadata else (info.annotation, None)
        for name, info in model.model_fields.items()
    }
    patch: type[Model] = create_model(f"{model.__name__}Patch", __base__=model, **fields)
    return patch


def changes(patch: BaseModel) -> dict[str, Any]:
    """The fields an update actually sent."""
    return patch.model_dump(exclude_unset=True)


def parse_id(value: str, entity: str) -> uuid.UUID:
    """An id from the client; one that is not a UUID names no record, so it is NOT_FOUND."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(entity) from None
