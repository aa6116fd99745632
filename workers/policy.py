"""A jurisdiction's policy, read from `config/` and validated before any worker starts.

Categories, time limits and routing differ from city to city (domain.md), so they are data that a
process owner edits. A mistake in that data must stop the workers at start-up with a message that
names the file, the key and the problem, not surface later as a wrong deadline.
"""

import json
import tomllib
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from workers.validation import problem

HOTLINE_POLICY_FILE = "hotline.toml"


PolicyModel = TypeVar("PolicyModel", bound=BaseModel)


class PolicyError(Exception):
    """A policy file that cannot be read or does not validate; one line per problem."""


def _nonblank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


def _positive(number: int) -> int:
    if number <= 0:
        raise ValueError("must be a positive integer")
    return number


Text = Annotated[str, Field(strict=True), AfterValidator(_nonblank)]
WorkingDays = Annotated[int, Field(strict=True), AfterValidator(_positive)]


class _Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryPolicy(_Policy):
    limit_working_days: WorkingDays


class HotlinePolicy(_Policy):
    """`config/hotline.toml`: the 12345 work order's categories and their time limits. How an
    appeal's text is classified and routed is `config/classification.toml`."""

    categories: Annotated[dict[Text, CategoryPolicy], Field(min_length=1)]


def load_hotline_policy(config_dir: Path) -> HotlinePolicy:
    return load_policy(config_dir / HOTLINE_POLICY_FILE, HotlinePolicy)


def load_policy(path: Path, model: type[PolicyModel]) -> PolicyModel:
    """Read the TOML file at `path` into `model`, raising `PolicyError` with every problem."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise PolicyError(f"{path}: cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PolicyError("\n".join(f"{path}: {_describe(detail)}" for detail in error.errors())) from error


# pydantic's wording ("Input should be ...") reads oddly after a TOML key.
_WORDING = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "tuple_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "too_short": "must not be empty",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "int_parsing": "must be an integer",
    "bool_type": "must be true or false",
    "date_type": "must be a date written YYYY-MM-DD, without quotes",
    "literal_error": "must be {expected}",
}


def _describe(detail: ErrorDetails) -> str:
    what = problem(detail, _WORDING)
    if not detail["loc"]:
        return what
    key = ".".join(str(part) for part in detail["loc"])
    if detail["type"] in ("missing", "extra_forbidden"):
        return f"{key}: {what}"
    return f"{key}: {what}, got {_shown(detail['input'])}"


def _shown(value: object) -> str:
    """`value` as it would be written in TOML, which is what the reader of the error edits."""
    return json.dumps(value, ensure_ascii=False, default=str)
