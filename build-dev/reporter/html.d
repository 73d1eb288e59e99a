build-dev/reporter/html.o: reporter/html.c reporter/html.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h core/ident.h core/buf.h core/stats.h
reporter/html.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
core/ident.h:
core/buf.h:
core/stats.h:
