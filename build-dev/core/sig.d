build-dev/core/sig.o: core/sig.c core/sig.h core/buf.h core/err.h
core/sig.h:
core/buf.h:
core/err.h:
