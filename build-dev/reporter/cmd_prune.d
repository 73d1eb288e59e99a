build-dev/reporter/cmd_prune.o: reporter/cmd_prune.c reporter/cmds.h \
 core/err.h core/cli.h core/err.h core/store_maint.h core/store.h \
 core/results.h
reporter/cmds.h:
core/err.h:
core/cli.h:
core/err.h:
core/store_maint.h:
core/store.h:
core/results.h:
