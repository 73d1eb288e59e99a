build-dev/core/gtest.o: core/gtest.c core/gtest.h core/results.h \
 core/buf.h core/err.h core/gtest_event.h core/sig.h
core/gtest.h:
core/results.h:
core/buf.h:
core/err.h:
core/gtest_event.h:
core/sig.h:
