build-dev/reporter/page_repo.o: reporter/page_repo.c reporter/html.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h core/store_query.h core/buf.h core/stats.h core/store.h \
 core/store_quarantine.h
reporter/html.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
core/store_query.h:
core/buf.h:
core/stats.h:
core/store.h:
core/store_quarantine.h:
