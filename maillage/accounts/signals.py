"""Signals of the accounts app, for the apps above it (accounts may not import them).

`staff_member_added(membership, added_by)`: a user joined a structure's team, whatever the path
(the team pages, the admin site). The pathways notifications tell the structure's
administrators, so that nobody (the platform admin included) becomes an advisor unnoticed.
"""

from django.dispatch import Signal

staff_member_added = Signal()
