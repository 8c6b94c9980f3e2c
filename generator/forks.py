"""Work done in a forked child, its answer brought back: the one way the build works apart.

The build forks three times: to render away from MkDocs' memory (generator.site), to render each
language on a core of its own (``each_apart``), and to build each language with MkDocs on a core of
its own (generator.language_builds). Each child runs one call and sends back its result, or the
exception it raised, pickled through a pipe; the parent collects it when it needs it (``Child.result``).
A child dies with the process that forked it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from generator.errors import BuildError

T = TypeVar("T")


def possible() -> bool:
    """Whether this process can fork safely: a platform with fork, and no other thread (one holding
    a lock at the fork would hold it in the child forever)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Child(Generic[T]):
    """A forked child running ``call``; ``what`` names it in the error when it dies without an answer.

    The answer comes through a pipe, which the child fills only as fast as the parent reads it; with
    ``answer_file`` it is written there instead, so that a child done before its parent asks exits at
    once and gives its memory back."""

    def __init__(self, call: Callable[[], T], what: str, answer_file: Path | None = None) -> None:
        self.what, self._file = what, answer_file
        readable, writable = os.pipe() if answer_file is None else (None, None)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with(parent)
            if readable is not None:
                os.close(readable)
            _answer(call, writable, answer_file)
        if writable is not None:
            os.close(writable)
        self.pid: int | None = pid
        # The read end of the pipe; None once a file object owns it (closed by it, whatever happens,
        # and never closed twice).
        self._readable: int | None = readable

    def result(self) -> T:
        """Wait for the child's answer: its result, or the exception it raised, raised here.
        Raises BuildError when the child died before it answered whole."""
        assert self.pid is not None, "a child's answer is read once"
        if self._file is None:
            readable, self._readable = self._readable, None
            with os.fdopen(readable, "rb") as pipe:
                answer = pipe.read()
        status, self.pid = _reap(self.pid), None
        if self._file is not None:
            answer = self._file.read_bytes() if self._file.is_file() else b""
        try:
            ok, value = pickle.loads(answer)
        except Exception:  # noqa: BLE001 - nothing, or part of an answer: the child died while answering
            ended = "" if status is None else f"{os.waitstatus_to_exitcode(status)}: "
            raise BuildError(f"{self.what} died before it finished ({ended}out of memory, or killed); "
                             "nothing was built") from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Kill the child and reap it, if it has not been waited for."""
        if self._readable is not None:
            os.close(self._readable)
            self._readable = None
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _reap(self.pid)
            self.pid = None


def in_child(call: Callable[[], T], what: str) -> T:
    """The result of ``call``, run in a forked child when this process can fork (else here)."""
    if not possible():
        return call()
    child = Child(call, what)
    try:
        return child.result()
    finally:
        child.stop()


def each_apart(calls: list[Callable[[], T]]) -> list[T]:
    """The results of ``calls``, in order: the first runs in this process, each other one in a forked
    child at the same time, when this process can fork (else one after another, here). Used for the
    rendering, one language per call."""
    if len(calls) < 2 or not possible():
        return [call() for call in calls]
    children: list[Child[T]] = []
    # Objects made so far move out of the collector's sight, so that its passes do not write to
    # (and so copy) every page the children share with this process.
    gc.freeze()
    try:
        for call in calls[1:]:
            children.append(Child(call, "a rendering process"))
        return [calls[0](), *(child.result() for child in children)]
    finally:
        gc.unfreeze()
        for child in children:
            child.stop()


def die_with(parent: int) -> None:
    """In a child just forked from ``parent``: be killed when ``parent`` dies (Linux), and end now if
    it is gone already. An orphan would go on writing pages into the docs folder that the next build
    writes too, stale ones over fresh ones."""
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _reap(pid: int) -> int | None:
    """Wait for the child ``pid`` to end; its wait status, or None when the system reaped it already
    (a process started with SIGCHLD ignored, which its children inherit)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _answer(call: Callable[[], Any], writable: int | None, answer_file: Path | None) -> None:
    """In a child: run ``call``, send back its result or exception (through the pipe ``writable``, or
    into ``answer_file``), and exit."""
    code = 1
    try:
        try:
            answer = pickle.dumps((True, call()))
            code = 0
        except Exception as exc:  # noqa: BLE001 - the parent raises it
            try:
                answer = pickle.dumps((False, exc))
                # Some pickle but do not unpickle (an argument of __init__ they do not keep in args).
                pickle.loads(answer)
            except Exception:  # noqa: BLE001 - an exception that does not travel still gets its message through
                answer = pickle.dumps((False, BuildError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(writable, "wb") if writable is not None else open(answer_file, "wb") as handle:
            handle.write(answer)
    finally:
        os._exit(code)
