build-dev/reporter/route_upload.o: reporter/route_upload.c core/jsonw.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h reporter/comment.h core/results.h core/gz.h core/buf.h \
 core/in_json.h core/store_query.h core/stats.h core/store.h \
 core/store_token.h
core/jsonw.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
reporter/comment.h:
core/results.h:
core/gz.h:
core/buf.h:
core/in_json.h:
core/store_query.h:
core/stats.h:
core/store.h:
core/store_token.h:
