build-dev/collector/publish.o: collector/publish.c collector/publish.h \
 core/cli.h core/err.h core/results.h core/ident.h core/buf.h \
 collector/comment.h core/buf.h core/err.h core/meta.h core/results.h \
 core/out_gha.h core/out_json.h core/out_junit.h core/out_comment.h \
 core/out_md.h core/report.h core/store.h core/store_query.h core/stats.h \
 core/store.h core/quarantine_file.h core/store_quarantine.h \
 core/upload.h
collector/publish.h:
core/cli.h:
core/err.h:
core/results.h:
core/ident.h:
core/buf.h:
collector/comment.h:
core/buf.h:
core/err.h:
core/meta.h:
core/results.h:
core/out_gha.h:
core/out_json.h:
core/out_junit.h:
core/out_comment.h:
core/out_md.h:
core/report.h:
core/store.h:
core/store_query.h:
core/stats.h:
core/store.h:
core/quarantine_file.h:
core/store_quarantine.h:
core/upload.h:
