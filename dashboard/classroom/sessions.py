"""The class sessions of one dashboard process: join codes, tokens, rounds in the background.

A session is a `ClassGame` and what the web needs around it: a join code the teacher reads
out (`CODE_LENGTH` characters of `CODE_ALPHABET`, which has no 0/O or 1/I), a teacher token
and one token per student (`secrets.token_urlsafe`), a status (`WAITING` for the teacher,
`RUNNING` a month, `ENDED`) and, per student, the choice the next round will use and
whether they answered since the last round.

Thread safety: one lock for the registry (the table of sessions) and, per session, one for
its game (`ClassGame` is not thread-safe) and one for the session's own state, taken in
that order (registry, game, state), each held briefly except the game's during a round.
A round runs `ClassGame.play_round` in a thread of its own holding the game's lock only:
every read (a student's state, the roster) takes the state's lock and answers from what the
last finished round published, so a page never waits for a month to be played. What would
touch the game during a round (a join, a lever) is refused with a sentence saying to try
again in a moment; a student's choice is kept and played in the next round. The debrief and
the exports read the game through `ClassRegistry.read_game`, which waits for a running
round to finish.

Bounds (the README's "A class plays the organization" says them too):
- at most `MAX_SESSIONS` live sessions per process and `MAX_STUDENTS` students per session;
- a session whose teacher's page has not called for `TEACHER_TIMEOUT` seconds (the page
  polls every few seconds while open) ends by itself; an ended session still answers its
  students for `ENDED_KEPT` seconds, then is forgotten;
- a student acts only for themselves: every call names the session's code and the
  student's own token, and a wrong pair is refused. The browser keeps the token (the
  students' page stores it in localStorage), so a reload keeps the role.

Refusals raise `ClassError` (with an HTTP status for the JSON API) or the game's own
`GameError`; both carry a sentence meant for the user.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from eachcustomer.dashboard.classroom.game import (
    EFFORTS,
    LANGUAGES,
    LEVERS,
    ClassGame,
    GameError,
    PlayerReport,
    Role,
)
from eachcustomer.dashboard.classroom.views import (
    ENDED,
    RUNNING,
    WAITING,
    Session,
    Student,
    next_round,
    student_view,
    teacher_view,
)

MAX_SESSIONS = 6
"""Live class sessions one dashboard process holds (a round is about a second of one core)."""
MAX_STUDENTS = 60
"""Students per session (tested with 40 on two cores, each page answering within 1 s)."""
TEACHER_TIMEOUT = 600.0
"""Seconds without a call from the teacher's page after which a session ends by itself."""
ENDED_KEPT = 1800.0
"""Seconds an ended session still shows its students their last report."""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join-code characters: capitals and digits without 0/O and 1/I, which read alike."""
CODE_LENGTH = 5

GAME_WAIT = 0.5
"""Seconds a change between rounds, or a read of the game, waits for the game's lock
(another change, a debrief being drawn, a round just starting) before it is refused."""

EXTENSION = "eachcustomer.classroom"
"""Where the Flask app keeps its registry (`registry()`)."""
LOG = logging.getLogger(__name__)
T = TypeVar("T")


class ClassError(ValueError):
    """A request the registry refuses; its text is shown to the user as it is.

    Attributes:
        status: the HTTP status the JSON API answers with (400 bad request, 403 wrong
            token, 404 no such session, 409 not now).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _start_game(scenario: str, seed: int) -> ClassGame:
    return ClassGame.start(scenario, seed=seed)


class ClassRegistry:
    """The class sessions of one process.

    Args:
        max_sessions: live sessions at once (`MAX_SESSIONS`).
        max_students: students per session (`MAX_STUDENTS`).
        teacher_timeout: seconds of the teacher's silence that end a session.
        clock: seconds, monotonic (tests pass a fake one instead of sleeping).
        new_game: builds a session's game from a scenario name and a seed.
    """

    def __init__(
        self,
        *,
        max_sessions: int = MAX_SESSIONS,
        max_students: int = MAX_STUDENTS,
        teacher_timeout: float = TEACHER_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        new_game: Callable[[str, int], ClassGame] = _start_game,
    ) -> None:
        self.max_sessions = max_sessions
        self.max_students = max_students
        self.teacher_timeout = teacher_timeout
        self.clock = clock
        self.new_game = new_game
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._starting = 0  # slots reserved by games being built

    # --- sessions ---------------------------------------------------------------------------

    def start(self, scenario: str, seed: int | None = None) -> tuple[str, str]:
        """A new session of `scenario` (a built-in scenario's name): its join code and the
        teacher's token."""
        with self._lock:
            self._expire()
            live = sum(s.status != ENDED for s in self._sessions.values()) + self._starting
            if live >= self.max_sessions:
                raise ClassError(
                    f"This dashboard already runs {self.max_sessions} class sessions, the most "
                    "it holds at once: end one, or wait until its teacher's page has been "
                    f"closed for {self.teacher_timeout / 60:.0f} minutes.",
                    409,
                )
            self._starting += 1
        try:
            seed = secrets.randbelow(2**31) if seed is None else seed
            # Built outside the registry's lock: the other sessions go on meanwhile.
            game = self.new_game(scenario, seed)
        except (GameError, ValueError) as error:
            raise ClassError(f"The session could not start: {error}") from None
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            code = self._new_code()
            token = secrets.token_urlsafe(24)
            self._sessions[code] = Session(
                code, token, scenario, seed, game, self.clock(), game.max_rounds
            )
        return code, token

    def codes(self) -> list[str]:
        """The join codes of the sessions held (live or recently ended)."""
        with self._lock:
            self._expire()
            return list(self._sessions)

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._sessions:
                return code

    def _expire(self) -> None:
        """End the sessions whose teacher has left; forget those ended long ago. Called with
        the registry's lock held."""
        now = self.clock()
        for code, session in list(self._sessions.items()):
            with session.lock:
                if session.status != ENDED and now - session.last_seen > self.teacher_timeout:
                    session.status, session.ended_at = ENDED, now
                    session.problem = "The teacher's page was closed; the session has ended."
                if session.ended_at is not None and now - session.ended_at > ENDED_KEPT:
                    del self._sessions[code]

    def _session(self, code: Any) -> Session:
        key = code.strip().upper() if isinstance(code, str) else ""
        with self._lock:
            self._expire()
            session = self._sessions.get(key)
        if session is None:
            raise ClassError(
                f"No class session has the code {key or '(none)'}: check it with your teacher.",
                404,
            )
        return session

    def _teacher(self, code: Any, token: Any) -> Session:
        """The session, when `token` is its teacher's; the call counts as a heartbeat."""
        session = self._session(code)
        if not isinstance(token, str) or not secrets.compare_digest(token, session.teacher_token):
            raise ClassError(f"This page is not the teacher's of session {session.code}.", 403)
        with session.lock:
            session.last_seen = self.clock()
        return session

    def _student(self, session: Session, token: Any) -> Student:
        """Called with the session's lock held."""
        student = session.students.get(token) if isinstance(token, str) else None
        if student is None:
            raise ClassError(
                f"This device has not joined session {session.code} (or joined another): "
                "join again with your first name.",
                403,
            )
        return student

    # --- students ---------------------------------------------------------------------------

    def join(self, code: Any, name: Any) -> tuple[str, Role]:
        """A new student of the session: their token and role."""
        session = self._session(code)
        if not isinstance(name, str):
            raise ClassError("Type your first name to join.")
        name = name.strip()
        with self._game_of(session), session.lock:
            self._refuse_if(session, ended=True, running=True)
            if len(session.students) >= self.max_students:
                raise ClassError(
                    f"This session is full: {self.max_students} students is the most a "
                    "session holds. Play along with a neighbour.",
                    409,
                )
            role = session.game.join(name)  # a GameError says what is wrong with the name
            name = next(reversed(session.game.players))  # as the game spells it
            effort, language = session.game.choice(name) or (None, None)
            token = secrets.token_urlsafe(24)
            session.students[token] = Student(name, role, effort, language)
        return token, role

    def student_state(self, code: Any, token: Any) -> dict[str, Any]:
        """What a student's page shows, JSON-ready: role, status, round, choice, whether
        they answered, and their last report in sentences."""
        session = self._session(code)
        with session.lock:
            student = self._student(session, token)
            return student_view(session, student)

    def choose(self, code: Any, token: Any, effort: Any, language: Any) -> dict[str, Any]:
        """The student's choice for the next round (kept until they change it); their state."""
        if effort not in EFFORTS:
            raise ClassError("Pick how you spend your effort: " + " / ".join(EFFORTS.values()))
        if language not in LANGUAGES:
            raise ClassError("Pick how you speak of customers: " + " / ".join(LANGUAGES.values()))
        session = self._session(code)
        with session.lock:
            student = self._student(session, token)
            self._refuse_if(session, ended=True)
            student.effort, student.language = effort, language
            student.answered_for = next_round(session)
            return student_view(session, student)

    # --- the teacher ------------------------------------------------------------------------

    def heartbeat(self, code: Any, teacher_token: Any) -> None:
        """The teacher's page is still open."""
        self._teacher(code, teacher_token)

    def teacher_game(self, code: Any, teacher_token: Any) -> ClassGame:
        """The session's game itself. It is not thread-safe: read it through `read_game`,
        unless nothing else can run (a test, a script)."""
        return self._teacher(code, teacher_token).game

    def read_game(self, code: Any, teacher_token: Any, read: Callable[[ClassGame], T]) -> T:
        """`read(game)`, holding the session's game (for the debrief's charts and the
        exports); a running round is waited for, up to `GAME_WAIT` seconds."""
        session = self._teacher(code, teacher_token)
        if not session.game_lock.acquire(timeout=GAME_WAIT):
            raise ClassError("The month is still being played: try again in a moment.", 409)
        try:
            return read(session.game)
        finally:
            session.game_lock.release()

    def teacher_state(self, code: Any, teacher_token: Any) -> dict[str, Any]:
        """What the teacher's page shows, JSON-ready: status, rounds, roster, levers."""
        session = self._teacher(code, teacher_token)
        with session.lock:
            return teacher_view(session)

    def pull_lever(self, code: Any, teacher_token: Any, lever: Any) -> None:
        """A lever of `LEVERS` for the next round (each at most once a session)."""
        session = self._teacher(code, teacher_token)
        if lever not in LEVERS:
            raise ClassError("Pick one of the levers: " + ", ".join(LEVERS.values()) + ".")
        with self._game_of(session), session.lock:
            self._refuse_if(session, ended=True, running=True)
            session.game.pull_lever(lever)  # a GameError when it was pulled already
            session.pending_levers.append(lever)

    def advance(self, code: Any, teacher_token: Any) -> None:
        """Play the next month in the background: the status is `RUNNING` until it is done."""
        session = self._teacher(code, teacher_token)
        with self._game_of(session), session.lock:
            self._refuse_if(session, ended=True, running=True)
            if session.rounds_played >= session.max_rounds:
                raise ClassError(f"The session has played its {session.max_rounds} months.", 409)
            for student in session.students.values():
                if student.effort is not None and student.language is not None:
                    session.game.choose(student.name, student.effort, student.language)
            session.status, session.problem = RUNNING, None
        threading.Thread(
            target=self._play, args=(session,), name=f"class-{session.code}", daemon=True
        ).start()

    def _play(self, session: Session) -> None:
        """A round, in its own thread: the game is this thread's until the state is published."""
        with session.game_lock:
            self._play_holding_the_game(session)

    def _play_holding_the_game(self, session: Session) -> None:
        problem = None
        reports: dict[str, PlayerReport] = {}
        try:
            session.game.play_round()
            # No one joins while the status is RUNNING: the students are those of the start.
            for token, student in list(session.students.items()):
                played = session.game.reports(student.name)
                if played:
                    reports[token] = played[-1]
        except GameError as error:
            problem = str(error)
        except Exception as error:  # noqa: BLE001 - the page says it; the log keeps the trace
            LOG.exception("class session %s: the round failed", session.code)
            problem = f"The month could not be played ({type(error).__name__}: {error})."
        with session.lock:
            for token, report in reports.items():
                session.students[token].report = report
            if reports or problem is None:
                session.levers_pulled[session.game.rounds_played] = tuple(session.pending_levers)
                session.pending_levers = []
            session.rounds_played = session.game.rounds_played
            session.problem = problem
            if session.status == RUNNING:  # it may have ended meanwhile
                session.status = WAITING

    def end(self, code: Any, teacher_token: Any) -> None:
        """End the session: students see it has ended; the slot is free again."""
        session = self._teacher(code, teacher_token)
        with session.lock:
            if session.status != ENDED:
                session.status, session.ended_at = ENDED, self.clock()
                session.problem = "The teacher ended the session."

    @contextlib.contextmanager
    def _game_of(self, session: Session) -> Iterator[None]:
        """Hold the session's game for a change between rounds; refused during a round (the
        state is looked at first, so a request never waits for a month)."""
        with session.lock:
            self._refuse_if(session, running=True)
        if not session.game_lock.acquire(timeout=GAME_WAIT):
            raise ClassError("The class is playing a month right now: try again in a moment.", 409)
        try:
            yield
        finally:
            session.game_lock.release()

    def _refuse_if(self, session: Session, ended: bool = False, running: bool = False) -> None:
        if ended and session.status == ENDED:
            raise ClassError("This session has ended.", 409)
        if running and session.status == RUNNING:
            raise ClassError("The class is playing a month right now: try again in a moment.", 409)


def registry() -> ClassRegistry:
    """The registry of the dashboard serving this request (made by `create_app`)."""
    from flask import current_app

    return current_app.extensions[EXTENSION]
