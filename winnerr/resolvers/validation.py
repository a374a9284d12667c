"""Input validation: pydantic models that mirror the original Zod schemas, and their shared field types."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from strawberry.utils.str_converters import to_camel_case

from winnerr.errors import Issue, NotFound, ValidationFailed

DEFAULT_PHONE_REGION = "US"


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


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Text50 = Annotated[str, _text(0, 50)]
Text100 = Annotated[str, _text(0, 100)]
Text200 = Annotated[str, _text(0, 200)]
LongText = Annotated[str, _text(0, 5000)]
Required50 = Annotated[str, _text(1, 50)]
Required100 = Annotated[str, _text(1, 100)]
Required200 = Annotated[str, _text(1, 200)]
Password = Annotated[str, _text(8, 200)]
Name = Required100
Phone = Annotated[str, AfterValidator(_e164)]
Email = Annotated[str, AfterValidator(_email)]
ZipCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{5}(-\d{4})?$")]
State = Annotated[str, _text(2, 50)]
Percent = Annotated[int, Field(ge=0, le=100)]
PercentDecimal = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Tags = Annotated[list[Required50], Field(max_length=20)]


class Rules(BaseModel):
    """Base of every input model: unknown fields are refused, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
