build-dev/collector/comment.o: collector/comment.c collector/comment.h \
 collector/publish.h core/cli.h core/err.h core/results.h core/err.h \
 core/buf.h core/github.h core/out_comment.h core/buf.h core/results.h \
 core/stats.h core/store.h
collector/comment.h:
collector/publish.h:
core/cli.h:
core/err.h:
core/results.h:
core/err.h:
core/buf.h:
core/github.h:
core/out_comment.h:
core/buf.h:
core/results.h:
core/stats.h:
core/store.h:
