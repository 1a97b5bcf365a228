"""The network's life holds no data about a project holder (a `pathways.Person`).

Its models name the platform's users (members of groups, attendees, owners of actions,
representatives at events) and structures: professional data of accounts, deleted with the
account (cascades) or kept with the owner protected (`Action.owner`). None of them points to a
person of the pathways or to a contact request, so none is in the register
(tests/pathways/test_personal_data_register.py checks that no such link appears unclassified).
"""
