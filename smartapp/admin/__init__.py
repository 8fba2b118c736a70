"""Staff-facing administration: plugins at run time, staff accounts, the audit log."""
