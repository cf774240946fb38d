"""Validation errors with a stable code and a message translated when it is shown."""

from django.utils.functional import lazy


def interpolate(template, params: dict) -> str:
    return str(template) % params if params else str(template)


# Formats in the language active when the message is shown, not when the error was raised.
interpolate_lazy = lazy(interpolate, str)


class CodedError(ValueError):
    """Why a value was rejected: `.code` for programs, `.message` for people.

    Subclasses set MESSAGES (code → translatable template); `template_key` picks another
    template for the same code (e.g. code "birth_date" with the "in the future" wording).
    """

    MESSAGES: dict = {}

    def __init__(self, code: str, template_key: str | None = None, /, **params) -> None:
        self.code = code
        self.template = self.MESSAGES[template_key or code]
        self.params = params
        self.message = interpolate_lazy(self.template, params)
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message)
