"""What the OpenAPI schema adds to every operation: its error responses and the
If-Match / ETag headers of the resources that carry versions."""

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}
COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "Why the request was refused.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "Messages per field (`non_field_errors` for the object as a "
        "whole; a list's errors by position), or `detail`.",
        "additionalProperties": {},
    },
}
ERRORS = {
    "400": ("Invalid input: field or query-parameter messages.", VALIDATION_ERROR),
    "401": ("No valid credentials: send `Authorization: Token <key>`.", ERROR),
    "403": ("Your access level, or a read-only token, does not allow this.", ERROR),
    "404": ("No such object, or one of a district you cannot see.", ERROR),
    "409": (
        "The change conflicts with other data (e.g. rows still refer to it).",
        ERROR,
    ),
    "412": ("If-Match does not match the object's current ETag.", ERROR),
    "413": ("The request body is too large (see DATA_UPLOAD_MAX_MEMORY_SIZE).", ERROR),
    "415": ("Send JSON (Content-Type: application/json).", ERROR),
    "429": ("Too many requests: wait the seconds given in Retry-After.", ERROR),
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag you read; the write is refused with 412 if the object "
    "changed since. Without it, the write applies to the current version.",
}
ETAG = {
    "ETag": {
        "schema": {"type": "string"},
        "description": 'The object\'s state, `"<id>.<version>"`; send it back as If-Match.',
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request.",
    }
}


def _codes(path: str, method: str) -> list[str]:
    versioned = not path.startswith("/api/v1/tokens/")
    is_detail = path.rstrip("/").endswith("}")
    codes = ["400", "401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if method in ("post", "put", "patch"):
        codes += ["413", "415"]
    if versioned and method in ("post", "put", "patch", "delete"):
        codes.append("409")
    if versioned and is_detail and method in ("put", "patch", "delete"):
        codes.append("412")
    return codes


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document errors, If-Match and ETag."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    for path, operations in result.get("paths", {}).items():
        versioned = not path.startswith("/api/v1/tokens/")
        is_detail = path.rstrip("/").endswith("}")
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method):
                description, schema = ERRORS[code]
                if code in responses:
                    continue
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                }
                if code == "429":
                    responses[code]["headers"] = RETRY_AFTER
            if not (versioned and is_detail):
                continue
            if method in ("put", "patch", "delete"):
                operation.setdefault("parameters", []).append(IF_MATCH)
            if method in ("get", "put", "patch"):
                responses.get("200", {}).setdefault("headers", {}).update(ETAG)
    return result
