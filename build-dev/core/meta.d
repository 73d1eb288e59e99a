build-dev/core/meta.o: core/meta.c core/meta.h core/results.h core/err.h \
 core/proc.h core/buf.h
core/meta.h:
core/results.h:
core/err.h:
core/proc.h:
core/buf.h:
