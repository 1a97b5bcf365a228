"""The site shell: what sits above every app and composes them (the home page, the navigation's
context, the language switch, the admin site). Nothing below imports it."""
