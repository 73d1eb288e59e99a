build-dev/core/gz.o: core/gz.c core/gz.h core/buf.h core/err.h
core/gz.h:
core/buf.h:
core/err.h:
