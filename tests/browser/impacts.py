"""Which axe violations fail a browser test."""

# Every impact blocks on our pages: they have no axe violation at all, keep it that way.
BLOCKING_IMPACTS = {"minor", "moderate", "serious", "critical"}
# Pages we do not write (Django's admin) are held to the bar: nothing serious or critical.
SERIOUS_IMPACTS = {"serious", "critical"}
