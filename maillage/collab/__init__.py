"""The network's life: working groups, meetings, actions, events, budgets, pooling (issue 22)."""
