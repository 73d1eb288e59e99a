build-dev/core/proc.o: core/proc.c core/proc.h core/buf.h core/err.h
core/proc.h:
core/buf.h:
core/err.h:
