"""The state machine of an import run, declared once (`maillage.core.states`).

A run goes UPLOADED → (ANALYSING) → READY or REFUSED → (IMPORTING) → IMPORTED → UNDONE, or
FAILED when something broke (or stopped responding: `retry` takes it back to UPLOADED).
Every change of status goes through `maillage.core.states.move` and leaves an `ImportRunEvent`.
"""

from maillage.core.states import StateMachine

from .models import ImportStatus as S

IMPORT_RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    # Analysed (dry run), or imported at once (the command); FAILED when its file goes.
    S.UPLOADED: frozenset({S.ANALYSING, S.IMPORTING, S.FAILED}),
    # The columns changed (back to UPLOADED), analysed again, imported.
    S.READY: frozenset({S.UPLOADED, S.ANALYSING, S.IMPORTING, S.FAILED}),
    S.REFUSED: frozenset({S.UPLOADED, S.ANALYSING, S.FAILED}),
    # UPLOADED: started again after it stopped responding (`retry`).
    S.ANALYSING: frozenset({S.READY, S.REFUSED, S.FAILED, S.UPLOADED}),
    # READY: duplicates left to answer; REFUSED: the import found errors.
    S.IMPORTING: frozenset({S.IMPORTED, S.READY, S.REFUSED, S.FAILED, S.UPLOADED}),
    S.IMPORTED: frozenset({S.UNDONE}),
    S.FAILED: frozenset({S.UPLOADED}),
    S.UNDONE: frozenset(),
}

IMPORT_RUN_STATES = StateMachine(
    transitions=IMPORT_RUN_TRANSITIONS,
    initial=frozenset({S.UPLOADED}),
    choices=S,
    log_model="imports.ImportRunEvent",
    log_link="run",
)
