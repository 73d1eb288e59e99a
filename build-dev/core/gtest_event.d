build-dev/core/gtest_event.o: core/gtest_event.c core/gtest_event.h \
 core/buf.h core/utf8.h
core/gtest_event.h:
core/buf.h:
core/utf8.h:
