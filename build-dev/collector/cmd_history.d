build-dev/collector/cmd_history.o: collector/cmd_history.c \
 collector/cmds.h core/err.h core/buf.h core/cli.h core/err.h \
 core/stats.h core/store.h core/results.h
collector/cmds.h:
core/err.h:
core/buf.h:
core/cli.h:
core/err.h:
core/stats.h:
core/store.h:
core/results.h:
