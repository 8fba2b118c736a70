"""Background work of the example plugin, run by RQ workers in the tests."""

from smartapp.plugin import db


def add_note(text: str) -> int:
    """Store a note; returns its id."""
    from smartapp_example import Note

    note = Note(text=text)
    db.session.add(note)
    db.session.commit()
    return note.id
