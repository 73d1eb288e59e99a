build-dev/core/out_junit.o: core/out_junit.c core/out_junit.h core/err.h \
 core/results.h core/utf8.h core/buf.h
core/out_junit.h:
core/err.h:
core/results.h:
core/utf8.h:
core/buf.h:
