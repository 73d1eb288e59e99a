build-dev/core/results.o: core/results.c core/results.h core/buf.h \
 core/err.h core/sig.h core/utf8.h
core/results.h:
core/buf.h:
core/err.h:
core/sig.h:
core/utf8.h:
