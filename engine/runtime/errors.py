"""Command rejections: a command the engine refuses, with Zeebe's reason and a readable message."""

from __future__ import annotations

from enum import StrEnum


class RejectionType(StrEnum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_STATE = "INVALID_STATE"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"


class Rejection(Exception):
    def __init__(self, type_: RejectionType, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


def not_found(message: str) -> Rejection:
    return Rejection(RejectionType.NOT_FOUND, message)


def invalid_argument(message: str) -> Rejection:
    return Rejection(RejectionType.INVALID_ARGUMENT, message)


def invalid_state(message: str) -> Rejection:
    return Rejection(RejectionType.INVALID_STATE, message)


def already_exists(message: str) -> Rejection:
    return Rejection(RejectionType.ALREADY_EXISTS, message)
