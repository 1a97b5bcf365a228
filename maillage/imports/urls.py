"""Spreadsheet imports into a structure: upload, mapping, dry run, commit, history, undo."""

app_name = "imports"

urlpatterns = []
