"""Where the reporting tables copy a person's data (read by `maillage.core.personal_data`).

`Presence` copies the person's profile so that counts need no join; a change of the person
marks the rows for refresh (database triggers), and the erasure clears the postal code at once.
"""

from maillage.core.personal_data import Clear, Keep, register

register(
    "reporting.Presence",
    link="person",
    on_merge="derived",
    fields={
        "postal_code": Clear(),
        # The person-group (pathways.NetworkPerson), deleted at erasure: the erased record is
        # its own human at once (the refresh writes the same).
        "human": Clear(lambda row, value, context: row.person_id, export=False),
        "month": Keep(),
        "days": Keep(),
        "merged": Keep(),
        "gender": Keep(),
        "birth_year": Keep(),
        "situation_id": Keep(),
        "priority_neighbourhood": Keep(),
        "commune_id": Keep(note="refreshed from the person, whose commune becomes a département"),
    },
    not_personal=("id", "person", "structure", "offer"),
)
