build-dev/reporter/page_static.o: reporter/page_static.c reporter/html.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h
reporter/html.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
