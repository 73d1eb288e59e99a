build-dev/reporter/comment.o: reporter/comment.c reporter/comment.h \
 reporter/server.h core/buf.h core/err.h core/store.h core/err.h \
 core/results.h core/results.h core/comment_history.h core/out_comment.h \
 core/buf.h core/store.h core/store_query.h core/stats.h core/github.h \
 core/out_comment.h core/store_group.h core/store_query.h
reporter/comment.h:
reporter/server.h:
core/buf.h:
core/err.h:
core/store.h:
core/err.h:
core/results.h:
core/results.h:
core/comment_history.h:
core/out_comment.h:
core/buf.h:
core/store.h:
core/store_query.h:
core/stats.h:
core/github.h:
core/out_comment.h:
core/store_group.h:
core/store_query.h:
