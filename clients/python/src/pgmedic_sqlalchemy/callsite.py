"""Where a connection was checked out: the first frame outside SQLAlchemy and this package."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from types import FrameType
from typing import Optional, Tuple

import sqlalchemy

_SKIPPED_DIRECTORIES: Tuple[str, ...] = (
    os.path.dirname(os.path.abspath(sqlalchemy.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
)
# contextlib wraps `with` helpers such as a session factory's context manager; the user's frame is above it.
_SKIPPED_FILES: Tuple[str, ...] = (os.path.abspath(sys.modules["contextlib"].__file__ or "contextlib.py"),)


@dataclass(frozen=True)
class CallSite:
    file: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"{self.function} at {self.file}:{self.line}"


UNKNOWN = CallSite("?", 0, "?")


def _skipped(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_SKIPPED_DIRECTORIES) or path in _SKIPPED_FILES


def caller_frame() -> Optional[FrameType]:
    """The innermost frame of the calling code that is neither SQLAlchemy's nor this package's."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and _skipped(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def call_site(frame: Optional[FrameType]) -> CallSite:
    if frame is None:
        return UNKNOWN
    code = frame.f_code
    function = getattr(code, "co_qualname", code.co_name)  # co_qualname (Class.method) from Python 3.11
    return CallSite(os.path.abspath(code.co_filename), frame.f_lineno, function)


def capture_stack(frame: Optional[FrameType]) -> Optional[traceback.StackSummary]:
    """The stack from ``frame`` outwards, without reading source lines (that waits until it is shown)."""
    if frame is None:
        return None
    summary = traceback.StackSummary.extract(traceback.walk_stack(frame), lookup_lines=False)
    summary.reverse()
    return summary


def format_stack(stack: traceback.StackSummary) -> str:
    return "".join(traceback.format_list(stack)).rstrip("\n")
