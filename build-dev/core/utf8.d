build-dev/core/utf8.o: core/utf8.c core/utf8.h core/buf.h core/err.h
core/utf8.h:
core/buf.h:
core/err.h:
