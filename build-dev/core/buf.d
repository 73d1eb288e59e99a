build-dev/core/buf.o: core/buf.c core/buf.h core/err.h
core/buf.h:
core/err.h:
