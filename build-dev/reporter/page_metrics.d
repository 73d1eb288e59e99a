build-dev/reporter/page_metrics.o: reporter/page_metrics.c \
 reporter/html.h reporter/server.h core/buf.h core/err.h core/store.h \
 core/err.h core/results.h
reporter/html.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
