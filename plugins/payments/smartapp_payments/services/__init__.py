"""The utility's logic, one module per subject; routes and commands stay thin."""
