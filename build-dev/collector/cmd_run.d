build-dev/collector/cmd_run.o: collector/cmd_run.c collector/cmds.h \
 core/err.h collector/publish.h core/cli.h core/err.h core/results.h \
 core/matrix.h core/results.h core/meta.h
collector/cmds.h:
core/err.h:
collector/publish.h:
core/cli.h:
core/err.h:
core/results.h:
core/matrix.h:
core/results.h:
core/meta.h:
