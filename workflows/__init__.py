"""The appraisal process: the state machine, its guards and the command handlers."""
