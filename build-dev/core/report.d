build-dev/core/report.o: core/report.c core/report.h core/results.h \
 core/utf8.h core/buf.h core/err.h
core/report.h:
core/results.h:
core/utf8.h:
core/buf.h:
core/err.h:
