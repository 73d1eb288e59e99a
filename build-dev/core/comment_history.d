build-dev/core/comment_history.o: core/comment_history.c \
 core/comment_history.h core/err.h core/out_comment.h core/buf.h \
 core/results.h core/store.h core/store_query.h core/stats.h
core/comment_history.h:
core/err.h:
core/out_comment.h:
core/buf.h:
core/results.h:
core/store.h:
core/store_query.h:
core/stats.h:
