"""Domain errors: raised by services, rendered by one handler with their status code."""


class DomainError(Exception):
    """An error the user can act on; `message` is safe to show them."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    """Input that fails validation; `problems` lists every one as `path: message`."""

    status_code = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
