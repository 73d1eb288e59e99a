build-dev/core/matrix.o: core/matrix.c core/matrix.h core/err.h \
 core/results.h core/buf.h core/gtest.h core/proc.h
core/matrix.h:
core/err.h:
core/results.h:
core/buf.h:
core/gtest.h:
core/proc.h:
