"""Use cases of the preparation: one function per action, each in one transaction, each checking
permission and state and writing one audit event. Web views, the command line and the tests all
call these; nothing is computed twice."""
