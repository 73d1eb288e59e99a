build-dev/collector/comment.o: collector/comment.c collector/comment.h \
 collector/publish.h core/cli.h core/err.h core/results.h core/buf.h \
 core/err.h core/github.h core/comment_history.h core/out_comment.h \
 core/buf.h core/results.h core/store.h core/store_query.h core/stats.h \
 core/out_comment.h core/stats.h core/store.h
collector/comment.h:
collector/publish.h:
core/cli.h:
core/err.h:
core/results.h:
core/buf.h:
core/err.h:
core/github.h:
core/comment_history.h:
core/out_comment.h:
core/buf.h:
core/results.h:
core/store.h:
core/store_query.h:
core/stats.h:
core/out_comment.h:
core/stats.h:
core/store.h:
