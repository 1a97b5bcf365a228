"""Knowledge base: interlinked sheets written and validated together (issue 21)."""
