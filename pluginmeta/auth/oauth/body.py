"""Reads a token request body sent as JSON (as ChatGPT does) or as a form, strictly."""

from urllib.parse import parse_qsl

from pluginmeta.api.jsonbody import strict_loads


class TokenRequestError(ValueError):
    """The token request body cannot be read; answered with RFC 6749's invalid_request."""


JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


def _from_json(body: bytes) -> list[tuple[str, str]]:
    try:
        data = strict_loads(body)
    except ValueError:
        raise TokenRequestError("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise TokenRequestError("The request body must be a JSON object.")
    params: list[tuple[str, str]] = []
    for name, value in data.items():
        if not isinstance(value, str):
            raise TokenRequestError(f"The parameter {name!r} must be a string.")
        params.append((name, value))
    return params


def _from_form(body: bytes) -> list[tuple[str, str]]:
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise TokenRequestError("A form-encoded body must be percent-encoded ASCII.") from None
    try:
        params = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise TokenRequestError("The request body is not a valid form encoding.") from None
    names = [name for name, _ in params]
    # RFC 6749 section 3.2: parameters must not be included more than once.
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise TokenRequestError(f"Repeated parameters: {', '.join(repeated)}.")
    return params


def _without_nul(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # No OAuth value holds a NUL, and Postgres refuses one in a query parameter.
    for name, value in params:
        if "\x00" in name or "\x00" in value:
            raise TokenRequestError("Parameters must not contain NUL characters.")
    return params


def parse_token_request(content_type: str, body: bytes) -> list[tuple[str, str]]:
    """The token request's parameters, from a JSON object or a form; raises TokenRequestError."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        raise TokenRequestError("The request body is empty.")
    if media_type == JSON_TYPE:
        return _without_nul(_from_json(body))
    if media_type == FORM_TYPE:
        return _without_nul(_from_form(body))
    raise TokenRequestError(f"Send the token request as {JSON_TYPE} or {FORM_TYPE}.")
