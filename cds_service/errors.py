"""Every error answer is a FHIR OperationOutcome: one place renders them all.

Client mistakes get the matching 4xx with a sentence saying what is wrong; anything else
gets a bare 500 whose body says nothing about the code. No stack trace, request body or
token ever reaches a response.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger("her2cds.errors")

# FHIR issue-type codes (http://hl7.org/fhir/issue-type) for each status we send.
_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-long",
    415: "not-supported",
    412: "incomplete",
    429: "throttled",
    500: "exception",
    503: "transient",
}


class ApiError(Exception):
    """A request the service refuses, with the status and the words to say so."""

    def __init__(self, status: int, message: str, *, expression: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.expression = expression or []


def operation_outcome(
    status: int, message: str, expression: list[str] | None = None
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "severity": "error" if status < 500 else "fatal",
        "code": _ISSUE_CODES.get(status, "processing"),
        "diagnostics": message,
    }
    if expression:
        issue["expression"] = expression
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def outcome_response(status: int, message: str, expression: list[str] | None = None) -> Response:
    response = jsonify(operation_outcome(status, message, expression))
    response.status_code = status
    response.mimetype = "application/fhir+json"
    return response


def unauthorized() -> Response:
    """A bare 401: nothing about why (the reason goes to the log only)."""
    response = Response(status=401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


_HTTP_MESSAGES = {
    404: "No such endpoint or CDS service.",
    405: "This method is not allowed on this endpoint.",
    413: "The request body is larger than this service accepts.",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return outcome_response(error.status, error.message, error.expression)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Response:
        return outcome_response(413, _HTTP_MESSAGES[413])

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = _HTTP_MESSAGES.get(status, error.name)
        response = outcome_response(status, message)
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.error("unhandled error", extra={"error_type": type(error).__name__})
        return outcome_response(500, "The service failed to process this request.")
