"""The one error type every API model raises; each protocol renders it its own way."""


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
