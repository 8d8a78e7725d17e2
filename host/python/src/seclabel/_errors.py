from __future__ import annotations


class SeclabelError(Exception):
    """A failed call. code is the protocol's stable error code
    ("invalid_json", "not_fhir", "invalid_option", ...; engine/PROTOCOL.md),
    or "unsupported_module" when the module cannot be used; message is for
    people and may change."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Exceptions are pickled by their args, which here is the joined
        # text: rebuild from the two parts so they cross process pools.
        return (SeclabelError, (self.code, self.message))
