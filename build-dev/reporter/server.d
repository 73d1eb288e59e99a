build-dev/reporter/server.o: reporter/server.c core/jsonw.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h reporter/html.h
core/jsonw.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
reporter/html.h:
