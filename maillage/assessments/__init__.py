"""Assessments: instruments as versioned data, committees, before/after, collective appraisal
sessions and shared diagnostics that become plans (issue 19)."""
