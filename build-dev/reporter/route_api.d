build-dev/reporter/route_api.o: reporter/route_api.c reporter/server.h \
 core/buf.h core/err.h core/store.h core/err.h core/results.h \
 core/ident.h core/buf.h core/store_query.h core/stats.h core/store.h
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
core/ident.h:
core/buf.h:
core/store_query.h:
core/stats.h:
core/store.h:
